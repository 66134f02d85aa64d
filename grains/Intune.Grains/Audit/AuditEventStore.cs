using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace Intune.Grains.Audit;

/// <summary>
/// Where audit events are kept: one append-only row per event. Rows never grow and no tenant-wide
/// record fills up, so a flood of events cannot stop later ones from being written.
/// </summary>
public interface IAuditEventStore
{
    /// <summary>Adds the event's row (one storage request); adding the same event again changes nothing.</summary>
    Task AppendAsync(string tenantId, AuditEvent auditEvent, CancellationToken cancellationToken = default);

    /// <summary>The newest events of one month partition older than <paramref name="before"/>, newest first.</summary>
    IAsyncEnumerable<AuditEvent> ReadMonthAsync(string tenantId, DateTimeOffset month, Guid? before, int pageSize, CancellationToken cancellationToken = default);

    /// <summary>One event by id (a point read), or null.</summary>
    Task<AuditEvent?> GetAsync(string tenantId, Guid id, CancellationToken cancellationToken = default);
}

/// <summary>
/// Audit rows in Azure Table storage: partition <c>{tenantId}_{yyyyMM}</c> (the tenant's key range,
/// which moves and backups copy), row key the event id inverted so rows read newest first.
/// </summary>
public sealed class TableAuditEventStore(TableClient table) : IAuditEventStore
{
    /// <summary>The store's id in the unit's storage layout.</summary>
    public const string StoreId = "auditevents";

    /// <summary>A string property holds at most 64 KiB (32K UTF-16 characters); longer change lists are shortened to fit.</summary>
    internal const int MaxPropertyChars = 30_000;

    /// <summary>Old and new values of a modified property are cut at this length in the stored event.</summary>
    internal const int MaxValueChars = 1_000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private int _tableCreated;

    public static string PartitionKey(string tenantId, DateTimeOffset time) => $"{tenantId}_{AuditLogPartitions.Of(time)}";

    /// <summary>The id's big-endian bytes inverted, as hex: ascending row keys are descending (newest first) ids.</summary>
    public static string RowKey(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)~bytes[i];
        }

        return Convert.ToHexStringLower(bytes);
    }

    public async Task AppendAsync(string tenantId, AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        try
        {
            await table.AddEntityAsync(ToEntity(tenantId, auditEvent), cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Already written (a retried append whose first answer was lost): append-only, so nothing to do.
        }
    }

    public async IAsyncEnumerable<AuditEvent> ReadMonthAsync(string tenantId, DateTimeOffset month, Guid? before, int pageSize, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        var partition = PartitionKey(tenantId, month);
        var filter = before is { } last
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {RowKey(last)}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Clamp(pageSize, 1, 1000), cancellationToken: cancellationToken))
        {
            if (FromEntity(entity) is { } auditEvent)
            {
                yield return auditEvent;
            }
        }
    }

    public async Task<AuditEvent?> GetAsync(string tenantId, Guid id, CancellationToken cancellationToken = default)
    {
        if (AuditLogPartitions.TimeOf(id) is not { } minted)
        {
            return null;
        }

        await EnsureTableAsync(cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKey(tenantId, minted), RowKey(id), cancellationToken: cancellationToken);
        return row.HasValue ? FromEntity(row.Value!) : null;
    }

    internal static TableEntity ToEntity(string tenantId, AuditEvent e) => new(PartitionKey(tenantId, e.ActivityDateTime), RowKey(e.Id))
    {
        ["Id"] = e.Id,
        ["DisplayName"] = e.DisplayName,
        ["ComponentName"] = e.ComponentName,
        ["Activity"] = e.Activity,
        ["ActivityDateTime"] = e.ActivityDateTime,
        ["ActivityType"] = e.ActivityType,
        ["ActivityOperationType"] = e.ActivityOperationType,
        ["ActivityResult"] = e.ActivityResult,
        ["CorrelationId"] = e.CorrelationId,
        ["Category"] = e.Category,
        ["Actor"] = JsonSerializer.Serialize(e.Actor, Json),
        ["Resources"] = ResourcesJson(e.Resources),
    };

    /// <summary>The resources as JSON within one property: values cut first, then trailing resources dropped.</summary>
    internal static string ResourcesJson(IReadOnlyList<AuditResource> resources)
    {
        var json = JsonSerializer.Serialize(resources, Json);
        if (json.Length <= MaxPropertyChars)
        {
            return json;
        }

        var shortened = resources.Select(r => r with
        {
            ModifiedProperties = r.ModifiedProperties.Select(p => p with { OldValue = Cut(p.OldValue), NewValue = Cut(p.NewValue) }).ToList(),
        }).ToList();
        while (shortened.Count > 0 && (json = JsonSerializer.Serialize(shortened, Json)).Length > MaxPropertyChars)
        {
            shortened.RemoveAt(shortened.Count - 1);
        }

        return shortened.Count == 0 ? "[]" : json;
    }

    private static string? Cut(string? value) => value is { Length: > MaxValueChars } ? value[..MaxValueChars] + "…" : value;

    private static AuditEvent? FromEntity(TableEntity entity)
    {
        if (entity.GetGuid("Id") is not { } id || entity.GetDateTimeOffset("ActivityDateTime") is not { } at)
        {
            return null;
        }

        return new AuditEvent
        {
            Id = id,
            DisplayName = entity.GetString("DisplayName") ?? string.Empty,
            ComponentName = entity.GetString("ComponentName") ?? string.Empty,
            Actor = JsonSerializer.Deserialize<AuditActor>(entity.GetString("Actor") ?? "null", Json) ?? new AuditActor("ItPro", null, null, null, []),
            Activity = entity.GetString("Activity") ?? string.Empty,
            ActivityDateTime = at,
            ActivityType = entity.GetString("ActivityType") ?? string.Empty,
            ActivityOperationType = entity.GetString("ActivityOperationType") ?? string.Empty,
            ActivityResult = entity.GetString("ActivityResult") ?? string.Empty,
            CorrelationId = entity.GetGuid("CorrelationId") ?? Guid.Empty,
            Category = entity.GetString("Category") ?? string.Empty,
            Resources = JsonSerializer.Deserialize<List<AuditResource>>(entity.GetString("Resources") ?? "[]", Json) ?? [],
        };
    }

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _tableCreated) == 0)
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
            Volatile.Write(ref _tableCreated, 1);
        }
    }
}
