using Azure.Data.Tables;

namespace Intune.Grains.Policies;

/// <summary>
/// The per-device rows of policies' reports. One row per policy and device, not one grain-state
/// record per policy: a grain's state is one Azure Table entity of at most 1 MB, which a policy's
/// report outgrows at a few thousand devices (about 150 bytes a row), while a policy assigned to
/// a whole fleet has hundreds of thousands of rows.
/// </summary>
public interface IPolicyReportStore
{
    Task<IReadOnlyList<PolicyDeviceStatusRow>> LoadAsync(string tenantId, string policyId, CancellationToken cancellationToken = default);

    /// <summary>Writes the changed rows and deletes the removed ones (batch transactions; idempotent).</summary>
    Task SaveAsync(string tenantId, string policyId, IReadOnlyCollection<PolicyDeviceStatusRow> upserts, IReadOnlyCollection<string> removals, CancellationToken cancellationToken = default);

    Task DeleteAllAsync(string tenantId, string policyId, CancellationToken cancellationToken = default);
}

/// <summary>
/// Reports in Azure Table storage: partition = <c>{tenantId}_{policyId}</c> (so a tenant's rows
/// fall in the tenant's key range, which tenant moves copy), row = device id.
/// </summary>
public sealed class TablePolicyReportStore(TableClient table) : IPolicyReportStore
{
    private int _tableCreated;

    public static string PartitionKey(string tenantId, string policyId) => $"{tenantId}_{policyId}";

    public async Task<IReadOnlyList<PolicyDeviceStatusRow>> LoadAsync(string tenantId, string policyId, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        var rows = new List<PolicyDeviceStatusRow>();
        await foreach (var e in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(tenantId, policyId)}"), maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            if (Enum.TryParse<PolicyDeviceState>(e.GetString("State"), out var state))
            {
                rows.Add(new PolicyDeviceStatusRow(
                    e.RowKey,
                    e.GetString("DeviceName"),
                    e.GetString("DeviceModel"),
                    e.GetString("UserPrincipalName"),
                    state,
                    e.GetDateTimeOffset("GracePeriodExpiration"),
                    e.GetDateTimeOffset("LastReportedDateTime") ?? default));
            }
        }

        return rows;
    }

    public async Task SaveAsync(string tenantId, string policyId, IReadOnlyCollection<PolicyDeviceStatusRow> upserts, IReadOnlyCollection<string> removals, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        var partition = PartitionKey(tenantId, policyId);
        await TableBatches.UpsertAndDeleteAsync(table, partition, upserts.Select(r => ToEntity(partition, r)), removals, cancellationToken);
    }

    public async Task DeleteAllAsync(string tenantId, string policyId, CancellationToken cancellationToken = default)
    {
        var rows = await LoadAsync(tenantId, policyId, cancellationToken);
        await SaveAsync(tenantId, policyId, [], rows.Select(r => r.DeviceId).ToList(), cancellationToken);
    }

    private static TableEntity ToEntity(string partition, PolicyDeviceStatusRow row) => new(partition, row.DeviceId)
    {
        ["DeviceName"] = row.DeviceDisplayName,
        ["DeviceModel"] = row.DeviceModel,
        ["UserPrincipalName"] = row.UserPrincipalName,
        ["State"] = row.State.ToString(),
        ["GracePeriodExpiration"] = row.GracePeriodExpiration,
        ["LastReportedDateTime"] = row.LastReportedDateTime,
    };

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _tableCreated) == 1)
        {
            return;
        }

        await table.CreateIfNotExistsAsync(cancellationToken);
        Volatile.Write(ref _tableCreated, 1);
    }
}
