using Azure.Data.Tables;
using Intune.Grains.Durability;

namespace Intune.Grains.Groups;

/// <summary>
/// Large sets of ids kept as one table row per member: a group's devices and users, a policy's
/// targeted devices and pending retractions. A grain's state is one Azure Table entity of at most
/// 1 MB (about 25,000 device ids), while a tenant's groups and targets reach 100,000 devices and
/// more. The owning grain keeps its set in memory and writes only what changed.
/// </summary>
public interface IMemberSetStore
{
    Task<IReadOnlyList<string>> LoadAsync(string tenantId, string setId, CancellationToken cancellationToken = default);

    /// <summary>Adds and removes members (batch transactions; idempotent).</summary>
    Task SaveAsync(string tenantId, string setId, IReadOnlyCollection<string> added, IReadOnlyCollection<string> removed, CancellationToken cancellationToken = default);

    Task DeleteAllAsync(string tenantId, string setId, CancellationToken cancellationToken = default);
}

/// <summary>The names of the sets the grains keep, so every writer and reader agrees on them.</summary>
public static class MemberSets
{
    /// <summary>The tenant's groups, by id (so the group list is not capped by the tenant's row).</summary>
    public const string TenantGroups = "groups";

    public static string GroupDevices(string groupId) => $"group_{groupId}_devices";

    public static string GroupUsers(string groupId) => $"group_{groupId}_users";

    public static string PolicyTargets(string policyId) => $"policy_{policyId}_targets";

    public static string PolicyRetractions(string policyId) => $"policy_{policyId}_retractions";

    /// <summary>Characters Azure Table storage refuses in a row key.</summary>
    public static bool IsValidMemberId(string id) =>
        !string.IsNullOrEmpty(id) && id.Length <= 512 && !id.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
}

/// <summary>
/// Sets in Azure Table storage: partition = <c>{tenantId}_{setId}</c> (so a tenant's rows fall in
/// the tenant's key range, which tenant moves copy), row = member id, no other properties. Storage
/// that fails or does not answer is <c>UnavailableException</c> (503 / <c>Unavailable</c>, retry):
/// the grains change memory only after these calls return.
/// </summary>
public sealed class TableMemberSetStore(TableClient table) : IMemberSetStore
{
    private int _tableCreated;

    public static string PartitionKey(string tenantId, string setId) => $"{tenantId}_{setId}";

    public Task<IReadOnlyList<string>> LoadAsync(string tenantId, string setId, CancellationToken cancellationToken = default) =>
        WriteFirst.RowsAsync(QueryAsync(tenantId, setId, cancellationToken));

    public Task SaveAsync(string tenantId, string setId, IReadOnlyCollection<string> added, IReadOnlyCollection<string> removed, CancellationToken cancellationToken = default) =>
        WriteFirst.RowsAsync(WriteAsync(tenantId, setId, added, removed, cancellationToken));

    public async Task DeleteAllAsync(string tenantId, string setId, CancellationToken cancellationToken = default)
    {
        var members = await LoadAsync(tenantId, setId, cancellationToken);
        await SaveAsync(tenantId, setId, [], members, cancellationToken);
    }

    private async Task<IReadOnlyList<string>> QueryAsync(string tenantId, string setId, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken);
        var members = new List<string>();
        await foreach (var e in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(tenantId, setId)}"), maxPerPage: 1000, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            members.Add(e.RowKey);
        }

        return members;
    }

    private async Task WriteAsync(string tenantId, string setId, IReadOnlyCollection<string> added, IReadOnlyCollection<string> removed, CancellationToken cancellationToken)
    {
        if (added.Count + removed.Count == 0)
        {
            return;
        }

        await EnsureTableAsync(cancellationToken);
        var partition = PartitionKey(tenantId, setId);
        await TableBatches.UpsertAndDeleteAsync(table, partition, added.Select(id => new TableEntity(partition, id)), removed, cancellationToken);
    }

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
