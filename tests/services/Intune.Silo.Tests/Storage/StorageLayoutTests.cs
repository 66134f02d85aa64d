using Intune.ClusterConfig;
using Intune.Grains.Tenants;

namespace Intune.Silo.Tests.Storage;

/// <summary>
/// The storage layout names every table and container a unit creates: a store a silo writes that
/// the layout does not name would be left out of every tenant move and backup without a word.
/// </summary>
public sealed class StorageLayoutTests
{
    [Fact]
    public async Task RunningUnit_CreatesOnlyStoresTheLayoutNames()
    {
        await using var host = new ScaleUnitTestHost();
        await host.StartAsync();
        using var workload = await TenantWorkload.CreateAsync(host, devices: 2);
        // Deactivating writes what grains coalesce on timers (summaries, reports).
        await host.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var storage = new ScaleUnitStorage(host.Unit);
        var layout = storage.Layout;

        var tables = new List<string>();
        await foreach (var table in storage.Tables.QueryAsync(t => t.Name.CompareTo(host.StoragePrefix) >= 0))
        {
            if (table.Name.StartsWith(host.StoragePrefix, StringComparison.Ordinal))
            {
                tables.Add(table.Name);
            }
        }

        var containers = new List<string>();
        await foreach (var container in storage.Blobs.GetBlobContainersAsync(prefix: host.StoragePrefix))
        {
            containers.Add(container.Name);
        }

        var named = layout.Stores.ToDictionary(s => s.Name, s => s.Kind);
        Assert.All(tables, t => Assert.True(named.TryGetValue(t, out var kind) && kind == StoreKind.Table, $"Table {t} is not in the scale-unit storage layout."));
        Assert.All(containers, c => Assert.True(named.TryGetValue(c, out var kind) && kind == StoreKind.BlobContainer, $"Container {c} is not in the scale-unit storage layout."));
        // What this workload writes must be where the layout says (no silent renames).
        string[] written = [layout.Membership.Name, layout.GrainState.Name, layout.DeviceCatalog.Name, layout.PolicyReports.Name, layout.MemberSets.Name];
        Assert.Empty(written.Except(tables));
        Assert.Contains(layout.CertificateAuthority.Name, containers);
        Assert.All(layout.Stores, s => Assert.StartsWith(host.StoragePrefix, s.Name, StringComparison.Ordinal));
    }
}
