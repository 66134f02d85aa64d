using Azure.Data.Tables;
using Intune.Grains.Policies;

namespace Intune.Silo.Tests.Storage;

/// <summary>
/// Policy reports on real Azure Table storage (Azurite): a report far larger than one grain-state
/// entity (1 MB, about 7,000 rows) is written, changed and read back whole.
/// </summary>
public sealed class PolicyReportStorageTests
{
    private const int Devices = 12_000;

    [Fact]
    public async Task SaveAsync_ReportOf12000Devices_LoadsBackWholeAndAppliesChanges()
    {
        var table = new TableServiceClient(TestStorage.ConnectionString).GetTableClient($"{TestStorage.UniquePrefix()}policystatus");
        var store = new TablePolicyReportStore(table);
        var tenantId = Guid.NewGuid().ToString();
        var reported = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
        var rows = Enumerable.Range(0, Devices)
            .Select(i => new PolicyDeviceStatusRow($"device-{i:D5}", $"PC-{i:D5}", "Surface Laptop 6", $"user{i % 3000}@contoso.example",
                i % 3 == 0 ? PolicyDeviceState.NonCompliant : PolicyDeviceState.Compliant, i % 3 == 0 ? reported.AddHours(24) : null, reported))
            .ToList();

        await store.SaveAsync(tenantId, "policy-a", rows, []);
        var changed = rows[1] with { State = PolicyDeviceState.Error };
        await store.SaveAsync(tenantId, "policy-a", [changed], ["device-00000", "device-00002", "never-written"]);
        var loaded = await store.LoadAsync(tenantId, "policy-a");
        var other = await store.LoadAsync(tenantId, "policy-b");

        Assert.Equal(Devices - 2, loaded.Count);
        var byId = loaded.ToDictionary(r => r.DeviceId);
        Assert.Equal(changed, byId["device-00001"]);
        Assert.Equal(rows[3], byId["device-00003"]);
        Assert.DoesNotContain("device-00000", byId.Keys);
        Assert.Equal(rows.Skip(3).Count(r => r.State == PolicyDeviceState.NonCompliant), loaded.Count(r => r.State == PolicyDeviceState.NonCompliant));
        Assert.Empty(other);
        await table.DeleteAsync();
    }
}
