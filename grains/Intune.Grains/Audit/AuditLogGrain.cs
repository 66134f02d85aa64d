using Intune.Grains.Durability;
using Intune.Grains.Errors;
using Orleans.Concurrency;

namespace Intune.Grains.Audit;

/// <summary>
/// A tenant's audit log over <see cref="IAuditEventStore"/>: appends are acknowledged once their
/// row is written (a failed write is Unavailable, so the admin call that caused it fails too);
/// listings walk the month partitions newest first and stop as soon as the range is served.
/// </summary>
[StatelessWorker]
internal sealed class AuditLogGrain(IAuditEventStore store) : Grain, IAuditLogGrain
{
    private string TenantId => this.GetPrimaryKeyString();

    public async Task AppendAsync(AuditEvent auditEvent)
    {
        try
        {
            await store.AppendAsync(TenantId, auditEvent);
        }
        catch (Exception e) when (e is not RequestRefusedException)
        {
            throw new UnavailableException("The audit event could not be written; retry in a few seconds.", WriteFirst.RetryAfter);
        }
    }

    public async Task<AuditSlice> ListAsync(AuditRange range)
    {
        var events = new List<AuditEvent>(Math.Min(range.Max, 1000));
        var newest = range.Before is { } before && AuditLogPartitions.TimeOf(before) is { } beforeTime && beforeTime < range.To ? beforeTime : range.To;
        var oldest = range.From;
        for (var month = AuditLogPartitions.MonthOf(newest); month >= AuditLogPartitions.MonthOf(oldest); month = month.AddMonths(-1))
        {
            await foreach (var e in store.ReadMonthAsync(TenantId, month, range.Before, range.Max - events.Count + 1))
            {
                if (e.ActivityDateTime > range.To)
                {
                    continue;
                }

                if (e.ActivityDateTime < range.From)
                {
                    return new AuditSlice(events, More: false);
                }

                if (events.Count == range.Max)
                {
                    return new AuditSlice(events, More: true);
                }

                events.Add(e);
            }
        }

        return new AuditSlice(events, More: false);
    }

    public Task<AuditEvent?> GetAsync(Guid id) => store.GetAsync(TenantId, id);
}
