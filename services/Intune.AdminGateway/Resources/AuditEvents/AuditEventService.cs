using Intune.AdminGateway.Audit;
using Intune.Grains.Audit;

namespace Intune.AdminGateway.Resources.AuditEvents;

/// <summary>One page of audit events and where the next starts (null on the last page).</summary>
public sealed record AuditEventPage(IReadOnlyList<AuditEvent> Events, Guid? Next);

/// <summary>Pages through a tenant's audit log, newest first, for REST and gRPC alike.</summary>
public sealed class AuditEventService(AuditLog log)
{
    public async Task<AuditEventPage> ListAsync(string tenantId, AuditEventODataQuery query)
    {
        var events = (await log.ListAsync(tenantId, query.Since))
            .Where(e => query.After is not { } after || e.Id.CompareTo(after) < 0)
            .Where(query.Filter)
            .Take(query.Top + 1)
            .ToList();
        return events.Count > query.Top
            ? new AuditEventPage(events.Take(query.Top).ToList(), events[query.Top - 1].Id)
            : new AuditEventPage(events, null);
    }
}
