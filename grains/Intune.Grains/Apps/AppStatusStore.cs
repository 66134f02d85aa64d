using Azure.Data.Tables;
using Intune.Grains.Policies;

namespace Intune.Grains.Apps;

/// <summary>Per-device install rows of an app, written in batches by the app grain.</summary>
public interface IAppStatusStore
{
    Task<IReadOnlyList<AppInstallStatus>> LoadAsync(string tenantId, string appId, CancellationToken cancellationToken = default);

    Task SaveAsync(string tenantId, string appId, IReadOnlyCollection<AppInstallStatus> upserts, IReadOnlyCollection<string> removals, CancellationToken cancellationToken = default);
}

/// <summary>
/// Install rows in the unit's report table beside the policies' rows: partition
/// <c>{tenantId}_{appId}</c> (app and policy ids are distinct GUIDs), row = device id, so the rows
/// fall in the tenant's key range that moves and backups already copy.
/// </summary>
public sealed class TableAppStatusStore(TableClient table) : IAppStatusStore
{
    private readonly Lazy<Task> _created = new(() => table.CreateIfNotExistsAsync(), LazyThreadSafetyMode.ExecutionAndPublication);

    public async Task<IReadOnlyList<AppInstallStatus>> LoadAsync(string tenantId, string appId, CancellationToken cancellationToken = default)
    {
        await _created.Value;
        var rows = new List<AppInstallStatus>();
        await foreach (var e in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {TablePolicyReportStore.PartitionKey(tenantId, appId)}"), maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            if (Enum.TryParse<AppInstallState>(e.GetString("InstallState"), out var state))
            {
                rows.Add(new AppInstallStatus(e.RowKey, e.GetString("DeviceName"), e.GetString("UserPrincipalName"), state, e.GetInt32("ErrorCode") ?? 0, e.GetDateTimeOffset("LastReportedDateTime") ?? default));
            }
        }

        return rows;
    }

    public async Task SaveAsync(string tenantId, string appId, IReadOnlyCollection<AppInstallStatus> upserts, IReadOnlyCollection<string> removals, CancellationToken cancellationToken = default)
    {
        await _created.Value;
        var partition = TablePolicyReportStore.PartitionKey(tenantId, appId);
        await TableBatches.UpsertAndDeleteAsync(table, partition, upserts.Select(r => new TableEntity(partition, r.DeviceId)
        {
            ["DeviceName"] = r.DeviceName,
            ["UserPrincipalName"] = r.UserPrincipalName,
            ["InstallState"] = r.State.ToString(),
            ["ErrorCode"] = r.ErrorCode,
            ["LastReportedDateTime"] = r.LastReportedDateTime,
        }), removals, cancellationToken);
    }
}
