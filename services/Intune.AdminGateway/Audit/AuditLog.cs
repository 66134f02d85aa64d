using Intune.AdminGateway.Auth;
using Intune.Grains.Audit;
using Intune.Grains.Errors;
using Intune.Routing;
using Microsoft.AspNetCore.Http;

namespace Intune.AdminGateway.Audit;

/// <summary>Writes and reads a tenant's audit log: one append-only row per event, read newest first by range.</summary>
public sealed class AuditLog(IScaleUnitRouter router, TimeProvider time)
{
    /// <summary>Events <see cref="ActivityTypesAsync"/> reads at most (five storage pages) to list a category's activity types.</summary>
    public const int ActivityTypeScanLimit = 5_000;

    /// <summary>Graph's <c>getAuditCategories()</c>: the categories Intune files its events under.</summary>
    public static IReadOnlyList<string> Categories { get; } =
        new[] { AuditCategories.Device, AuditCategories.Compliance, AuditCategories.DeviceConfiguration, AuditCategories.Enrollment, AuditCategories.Role, AuditCategories.Application, AuditCategories.Other }
            .Order(StringComparer.Ordinal).ToList();

    public Guid NewEventId() => Guid.CreateVersion7(time.GetUtcNow());

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>
    /// The auditEvent of one admin call: the actor (UPN, object id, IP, roles) and the correlation id
    /// (<c>client-request-id</c>) come from the request, whichever front (REST or gRPC) served it.
    /// </summary>
    public AuditEvent Build(HttpContext context, string activityType, string operation, string category, string result, IReadOnlyList<AuditResource> resources)
    {
        var user = context.User;
        return new AuditEvent
        {
            Id = NewEventId(),
            DisplayName = activityType,
            ComponentName = category,
            Actor = new AuditActor(
                "ItPro",
                user.FindFirst(AdminClaims.UserPrincipalName)?.Value,
                user.FindFirst(AdminClaims.ObjectId)?.Value,
                context.Connection.RemoteIpAddress?.ToString(),
                user.FindAll(AdminClaims.Roles).Select(r => r.Value).ToList()),
            Activity = activityType,
            ActivityDateTime = Now,
            ActivityType = activityType,
            ActivityOperationType = operation,
            ActivityResult = result,
            CorrelationId = Guid.TryParse(context.Request.Headers["client-request-id"], out var correlation) ? correlation : Guid.Empty,
            Category = category,
            Resources = resources,
        };
    }

    /// <exception cref="UnavailableException">The event's row could not be written.</exception>
    public async Task AppendAsync(string tenantId, AuditEvent auditEvent)
    {
        var grains = await router.ForTenantAsync(tenantId);
        await grains.GetGrain<IAuditLogGrain>(tenantId).AppendAsync(auditEvent);
    }

    /// <summary>Events of the range, newest first (one storage request per month partition and 1,000 rows read).</summary>
    public async Task<AuditSlice> ListAsync(string tenantId, AuditRange range)
    {
        var grains = await router.ForTenantAsync(tenantId);
        return await grains.GetGrain<IAuditLogGrain>(tenantId).ListAsync(range);
    }

    /// <summary>The retention window up to now: what a listing without date bounds reads.</summary>
    public (DateTimeOffset From, DateTimeOffset To) Retention()
    {
        var now = Now;
        return (AuditLogPartitions.RetentionStart(now), now);
    }

    /// <summary>
    /// The activity types the tenant's newest <see cref="ActivityTypeScanLimit"/> events hold in
    /// <paramref name="category"/> (Graph <c>getAuditActivityTypes</c>).
    /// </summary>
    public async Task<IReadOnlyList<string>> ActivityTypesAsync(string tenantId, string category)
    {
        var (from, to) = Retention();
        var slice = await ListAsync(tenantId, new AuditRange(from, to, null, ActivityTypeScanLimit));
        return slice.Events
            .Where(e => string.Equals(e.Category, category, StringComparison.OrdinalIgnoreCase))
            .Select(e => e.ActivityType)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>One event by id: a point read.</summary>
    /// <exception cref="NotFoundException">The tenant's log holds no event with this id.</exception>
    public async Task<AuditEvent> GetAsync(string tenantId, string id)
    {
        if (!Guid.TryParse(id, out var eventId) || AuditLogPartitions.TimeOf(eventId) is null)
        {
            throw NotFound(id);
        }

        var grains = await router.ForTenantAsync(tenantId);
        return await grains.GetGrain<IAuditLogGrain>(tenantId).GetAsync(eventId) ?? throw NotFound(id);
    }

    private static NotFoundException NotFound(string id) => new($"No auditEvent with id '{id}' exists in this tenant.");
}

/// <summary>The audit categories operation descriptors file their events under.</summary>
public static class AuditCategories
{
    public const string Device = "Device";
    public const string Compliance = "Compliance";
    public const string DeviceConfiguration = "DeviceConfiguration";
    public const string Enrollment = "Enrollment";
    public const string Role = "Role";
    public const string Application = "Application";
    public const string Other = "Other";
}
