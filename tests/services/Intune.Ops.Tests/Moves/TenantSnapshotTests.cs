using Intune.ClusterConfig;
using Intune.Grains.Tenants;
using Intune.Grains.Users;
using Intune.Ops.Moves;

namespace Intune.Ops.Tests.Moves;

/// <summary>A tenant's rows are found by each store's key scheme, never by the tenant id appearing somewhere in a row.</summary>
public sealed class TenantSnapshotTests(MoveUnits units) : IClassFixture<MoveUnits>
{
    [Fact]
    public async Task Snapshot_AnotherTenantsUserNamedAfterTheTenantId_IsNotPartOfTheTenant()
    {
        var host = units.Na1;
        var (tenantId, _) = await host.CreateTenantAsync("Exported");
        var (otherTenantId, _) = await host.CreateTenantAsync("Bystander");
        // The bystander's user and its grain-state row carry the exported tenant's id inside their key.
        var lookalike = host.Grains.GetGrain<IUserGrain>(UserDevices.Key(otherTenantId, $"{tenantId}@bystander.example"));
        await lookalike.RecordDeviceAsync(Guid.NewGuid().ToString());
        await units.QuiesceAsync();

        var exported = await TenantSnapshot.ReadAsync(host.Unit, tenantId, CancellationToken.None);
        var bystander = await TenantSnapshot.ReadAsync(host.Unit, otherTenantId, CancellationToken.None);

        Assert.NotEmpty(exported.Rows);
        Assert.DoesNotContain(exported.Rows, r => r.PartitionKeySuffix.Contains(otherTenantId, StringComparison.Ordinal));
        Assert.Contains(bystander.Rows, r => r.PartitionKeySuffix.Contains(tenantId, StringComparison.Ordinal));
        Assert.Empty(exported.Rows.Select(r => r.Checksum).Intersect(bystander.Rows.Select(r => r.Checksum)));
    }

    [Theory]
    [InlineData("svc_tenant_aaaa", null, "aaaa", true)]
    [InlineData("svc_device_aaaa_dev1", null, "aaaa", true)]
    [InlineData("svc_user_bbbb_aaaa@x", null, "aaaa", false)]
    [InlineData("svc_tenant_aaaab", null, "aaaa", false)]
    [InlineData("other_tenant_aaaa", null, "aaaa", false)]
    [InlineData("svc_0000ABCD", "compliancedeadline/aaaa/dev1", "aaaa", true)]
    [InlineData("svc_0000ABCD", "compliancedeadline/bbbb/aaaa", "aaaa", false)]
    public void IsTenantGrainRow_MatchesTheGrainKeyOnly(string partitionKey, string? grainReference, string tenantId, bool expected) =>
        Assert.Equal(expected, new ScaleUnitStorageLayout("intune", "svc").IsTenantGrainRow(partitionKey, grainReference, tenantId));

    [Theory]
    [InlineData("aaaa_07", "aaaa", true)]
    [InlineData("aaaab_07", "aaaa", false)]
    [InlineData("bbbb_aaaa", "aaaa", false)]
    [InlineData("aaaa", "aaaa", false)]
    public void IsTenantKeyedRow_MatchesTheTenantPrefixOnly(string partitionKey, string tenantId, bool expected) =>
        Assert.Equal(expected, ScaleUnitStorageLayout.IsTenantKeyedRow(partitionKey, tenantId));
}
