using Intune.AdminGateway.Audit;
using Intune.Grains.Audit;

namespace Intune.AdminGateway.Resources.AuditEvents;

/// <summary>One page of audit events and where the next starts (null on the last page).</summary>
public sealed record AuditEventPage(IReadOnlyList<AuditEvent> Events, Guid? Next);

/// <summary>
/// Pages through a tenant's audit log, newest first, for REST and gRPC alike: the date bounds of
/// <c>$filter</c> pick the rows read, the rest of it is applied to them, and reading stops once
/// the page (plus one event, to know whether another page follows) is filled.
/// </summary>
public sealed class AuditEventService(AuditLog log)
{
    /// <summary>Rows asked for per read when <c>$filter</c> may drop some: fewer round trips for selective filters.</summary>
    private const int MinimumBatch = 100;

    public async Task<AuditEventPage> ListAsync(string tenantId, AuditEventODataQuery query)
    {
        var (oldest, now) = log.Retention();
        var from = query.Since is { } since && since > oldest ? since : oldest;
        var to = query.Until is { } until && until < now ? until : now;
        var matched = new List<AuditEvent>(query.Top + 1);
        var before = query.After;
        while (matched.Count <= query.Top)
        {
            var slice = await log.ListAsync(tenantId, new AuditRange(from, to, before, Math.Max(query.Top + 1, MinimumBatch)));
            matched.AddRange(slice.Events.Where(query.Filter).Take(query.Top + 1 - matched.Count));
            if (!slice.More || slice.Events.Count == 0)
            {
                break;
            }

            before = slice.Events[^1].Id;
        }

        return matched.Count > query.Top
            ? new AuditEventPage(matched.Take(query.Top).ToList(), matched[query.Top - 1].Id)
            : new AuditEventPage(matched, null);
    }
}
