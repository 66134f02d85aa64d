using Azure;
using Azure.Data.Tables;

namespace Intune.Routing;

/// <summary>Where a tenant is in its life: placed and being created, served, or being moved.</summary>
public enum TenantDirectoryState
{
    /// <summary>Placed on a unit; the unit's Tenant grain is not created yet. Not routable.</summary>
    Provisioning,

    /// <summary>Served by <see cref="TenantDirectoryEntry.ScaleUnitId"/>.</summary>
    Active,

    /// <summary>Still served by <see cref="TenantDirectoryEntry.ScaleUnitId"/> while a copy is made on <see cref="TenantDirectoryEntry.MovingTo"/>.</summary>
    Moving,
}

/// <summary>One tenant in the global directory.</summary>
public sealed record TenantDirectoryEntry(
    string TenantId,
    string DisplayName,
    string Region,
    string ScaleUnitId,
    TenantDirectoryState State,
    DateTimeOffset CreatedDateTime,
    string? MovingTo = null,
    string? PreviousScaleUnitId = null,
    ETag ETag = default);

/// <summary>The directory's entry changed under the caller (another operator or a concurrent move).</summary>
public sealed class TenantDirectoryConflictException(string message) : Exception(message);

/// <summary>The global tenant directory: tenant → scale unit, region, state.</summary>
public interface ITenantDirectory
{
    Task<TenantDirectoryEntry?> GetAsync(string tenantId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<TenantDirectoryEntry>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds a new tenant; fails with <see cref="TenantDirectoryConflictException"/> when the id exists.</summary>
    Task<TenantDirectoryEntry> AddAsync(TenantDirectoryEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Replaces an entry if it has not changed since it was read (its ETag).</summary>
    Task<TenantDirectoryEntry> UpdateAsync(TenantDirectoryEntry entry, CancellationToken cancellationToken = default);

    Task RemoveAsync(TenantDirectoryEntry entry, CancellationToken cancellationToken = default);
}

/// <summary>
/// The directory in its own Azure Table: one partition per tenant (point reads, no hot
/// partition), optimistic concurrency on every change so two operators cannot both move a tenant.
/// </summary>
public sealed class TableTenantDirectory(TableClient table) : ITenantDirectory
{
    private const string Row = "tenant";
    private int _created;

    public async Task<TenantDirectoryEntry?> GetAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(tenantId, Row, cancellationToken: cancellationToken);
        return found.HasValue ? FromEntity(found.Value!) : null;
    }

    public async Task<IReadOnlyList<TenantDirectoryEntry>> ListAsync(CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        var entries = new List<TenantDirectoryEntry>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {Row}"), cancellationToken: cancellationToken))
        {
            entries.Add(FromEntity(entity));
        }

        return entries;
    }

    public async Task<TenantDirectoryEntry> AddAsync(TenantDirectoryEntry entry, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        try
        {
            var response = await table.AddEntityAsync(ToEntity(entry), cancellationToken);
            return entry with { ETag = response.Headers.ETag ?? default };
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            throw new TenantDirectoryConflictException($"Tenant '{entry.TenantId}' is already in the directory.");
        }
    }

    public async Task<TenantDirectoryEntry> UpdateAsync(TenantDirectoryEntry entry, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        try
        {
            var response = await table.UpdateEntityAsync(ToEntity(entry), entry.ETag, TableUpdateMode.Replace, cancellationToken);
            return entry with { ETag = response.Headers.ETag ?? default };
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            throw new TenantDirectoryConflictException($"Tenant '{entry.TenantId}' changed in the directory since it was read; read it again.");
        }
    }

    public async Task RemoveAsync(TenantDirectoryEntry entry, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        await table.DeleteEntityAsync(entry.TenantId, Row, entry.ETag, cancellationToken);
    }

    private static TableEntity ToEntity(TenantDirectoryEntry entry) => new(entry.TenantId, Row)
    {
        ["DisplayName"] = entry.DisplayName,
        ["Region"] = entry.Region,
        ["ScaleUnitId"] = entry.ScaleUnitId,
        ["State"] = entry.State.ToString(),
        ["CreatedDateTime"] = entry.CreatedDateTime,
        ["MovingTo"] = entry.MovingTo,
        ["PreviousScaleUnitId"] = entry.PreviousScaleUnitId,
    };

    private static TenantDirectoryEntry FromEntity(TableEntity entity) => new(
        entity.PartitionKey,
        entity.GetString("DisplayName") ?? string.Empty,
        entity.GetString("Region") ?? string.Empty,
        entity.GetString("ScaleUnitId") ?? string.Empty,
        Enum.TryParse<TenantDirectoryState>(entity.GetString("State"), out var state) ? state : TenantDirectoryState.Provisioning,
        entity.GetDateTimeOffset("CreatedDateTime") ?? DateTimeOffset.MinValue,
        entity.GetString("MovingTo"),
        entity.GetString("PreviousScaleUnitId"),
        entity.ETag);

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _created) == 1)
        {
            return;
        }

        await table.CreateIfNotExistsAsync(cancellationToken);
        Volatile.Write(ref _created, 1);
    }
}
