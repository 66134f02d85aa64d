using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Intune.Grains.Audit;

namespace Intune.Testing.InMemory;

/// <summary>Audit rows in memory, ordered as the table orders them (newest first per month): for grain unit tests.</summary>
public sealed class InMemoryAuditEventStore : IAuditEventStore
{
    private readonly ConcurrentDictionary<(string Partition, string Row), AuditEvent> _rows = new();

    /// <summary>When set, appends fail as an unreachable storage account would.</summary>
    public bool FailAppends { get; set; }

    public Task AppendAsync(string tenantId, AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        if (FailAppends)
        {
            throw new IOException("Injected audit storage failure.");
        }

        _rows.TryAdd((TableAuditEventStore.PartitionKey(tenantId, auditEvent.ActivityDateTime), TableAuditEventStore.RowKey(auditEvent.Id)), auditEvent);
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<AuditEvent> ReadMonthAsync(string tenantId, DateTimeOffset month, Guid? before, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var partition = TableAuditEventStore.PartitionKey(tenantId, month);
        var after = before is { } last ? TableAuditEventStore.RowKey(last) : string.Empty;
        foreach (var row in _rows.Where(r => r.Key.Partition == partition && string.CompareOrdinal(r.Key.Row, after) > 0).OrderBy(r => r.Key.Row, StringComparer.Ordinal).ToList())
        {
            await Task.Yield();
            yield return row.Value;
        }
    }

    public Task<AuditEvent?> GetAsync(string tenantId, Guid id, CancellationToken cancellationToken = default) =>
        Task.FromResult(AuditLogPartitions.TimeOf(id) is { } minted
            && _rows.TryGetValue((TableAuditEventStore.PartitionKey(tenantId, minted), TableAuditEventStore.RowKey(id)), out var e) ? e : null);
}
