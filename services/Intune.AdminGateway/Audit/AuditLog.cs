using Intune.AdminGateway.Auth;
using Intune.Grains.Audit;
using Intune.Grains.Errors;
using Intune.Routing;
using Microsoft.AspNetCore.Http;

namespace Intune.AdminGateway.Audit;

/// <summary>Writes and reads a tenant's audit log (monthly, append-only grains).</summary>
public sealed class AuditLog(IScaleUnitRouter router, TimeProvider time)
{
    /// <summary>Intune keeps audit events for a year; listings look back this many months.</summary>
    public const int RetentionMonths = 12;

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

    public async Task AppendAsync(string tenantId, AuditEvent auditEvent)
    {
        var grains = await router.ForTenantAsync(tenantId);
        await grains.GetGrain<IAuditLogGrain>(AuditLogPartitions.Key(tenantId, auditEvent.ActivityDateTime)).AppendAsync(auditEvent);
    }

    /// <summary>Events of the retention window, newest first, optionally from <paramref name="since"/> on.</summary>
    public async Task<IReadOnlyList<AuditEvent>> ListAsync(string tenantId, DateTimeOffset? since = null)
    {
        var grains = await router.ForTenantAsync(tenantId);
        var now = time.GetUtcNow();
        var first = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-RetentionMonths);
        if (since is { } from && from > first)
        {
            first = new DateTimeOffset(from.UtcDateTime.Year, from.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);
        }

        var months = new List<DateTimeOffset>();
        for (var month = first; month <= now; month = month.AddMonths(1))
        {
            months.Add(month);
        }

        var logs = await Task.WhenAll(months.Select(m => grains.GetGrain<IAuditLogGrain>(AuditLogPartitions.Key(tenantId, m)).ListAsync()));
        return logs.SelectMany(l => l).OrderByDescending(e => e.Id).ToList();
    }

    /// <summary>The activity types the tenant's audit log holds in <paramref name="category"/> (Graph <c>getAuditActivityTypes</c>).</summary>
    public async Task<IReadOnlyList<string>> ActivityTypesAsync(string tenantId, string category) =>
        (await ListAsync(tenantId))
            .Where(e => string.Equals(e.Category, category, StringComparison.OrdinalIgnoreCase))
            .Select(e => e.ActivityType)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <exception cref="NotFoundException">The tenant's log holds no event with this id.</exception>
    public async Task<AuditEvent> GetAsync(string tenantId, string id)
    {
        if (!Guid.TryParse(id, out var eventId) || AuditLogPartitions.TimeOf(eventId) is not { } minted)
        {
            throw NotFound(id);
        }

        var grains = await router.ForTenantAsync(tenantId);
        var events = await grains.GetGrain<IAuditLogGrain>(AuditLogPartitions.Key(tenantId, minted)).ListAsync();
        return events.FirstOrDefault(e => e.Id == eventId) ?? throw NotFound(id);
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
