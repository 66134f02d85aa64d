using Intune.Grains.Devices;
using Intune.Grains.Policies;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Intune.Grains.Tests.Policies;

/// <summary>The report rows reach the Azure table (on Azurite) on the coalescing timer, not only when the grain deactivates.</summary>
[Collection(AzuriteRowStoresCollection.Name)]
public sealed class PolicyReportPersistenceTests(AzuriteRowStoresClusterFixture fixture)
{
    [Fact]
    public async Task ReportStatusAsync_AfterTheWriteInterval_RowsAreInStorageWhileTheGrainStaysActive()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var policy = await kit.CreateComplianceAsync("windows10CompliancePolicy", new Dictionary<string, string> { ["passwordRequired"] = "true" });
        var policyId = GrainKeys.Split(policy.GetPrimaryKeyString()).Id;
        var store = ((InProcessSiloHandle)fixture.Cluster.Primary!).SiloHost.Services.GetRequiredService<IPolicyReportStore>();
        var reported = fixture.Clock.GetUtcNow();

        await policy.ReportStatusAsync(new PolicyStatusReport { DeviceId = "device-1", DeviceName = "PC-1", State = PolicyDeviceState.NonCompliant, LastReportedDateTime = reported });
        await policy.ReportStatusAsync(new PolicyStatusReport { DeviceId = "device-2", DeviceName = "PC-2", State = PolicyDeviceState.Compliant, LastReportedDateTime = reported });
        var beforeInterval = await store.LoadAsync(kit.TenantId, policyId);
        fixture.Clock.Advance(PolicyGrain.ReportWriteInterval + TimeSpan.FromSeconds(1));
        // A non-interleaving call runs after the timer's turn, which the advance queued first.
        await policy.GetAsync();
        var afterInterval = await store.LoadAsync(kit.TenantId, policyId);
        var table = fixture.AzuriteStorage!.Table(fixture.AzuriteStorage.Layout.PolicyReports);
        var rowKeys = new List<string>();
        await foreach (var row in table.QueryAsync<Azure.Data.Tables.TableEntity>(e => e.PartitionKey == TablePolicyReportStore.PartitionKey(kit.TenantId, policyId)))
        {
            rowKeys.Add(row.RowKey);
        }

        Assert.Empty(beforeInterval);
        Assert.Equal(
            [("device-1", PolicyDeviceState.NonCompliant), ("device-2", PolicyDeviceState.Compliant)],
            afterInterval.OrderBy(r => r.DeviceId, StringComparer.Ordinal).Select(r => (r.DeviceId, r.State)));
        Assert.Equal(["device-1", "device-2"], rowKeys.Order(StringComparer.Ordinal));
    }
}
