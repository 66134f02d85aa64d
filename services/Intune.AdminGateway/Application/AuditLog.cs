using Intune.AdminGateway.Auth;
using Intune.Grains.Audit;
using Intune.Routing;
using Microsoft.AspNetCore.Http;

namespace Intune.AdminGateway.Application;

/// <summary>Writes and reads a tenant's audit log (monthly, append-only grains).</summary>
public sealed class AuditLog(IScaleUnitRouter router, TimeProvider time)
{
    /// <summary>Intune keeps audit events for a year; listings look back this many months.</summary>
    public const int RetentionMonths = 12;

    public static readonly IReadOnlyDictionary<string, string> CategoryByCollection = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["managedDevices"] = "Device",
        ["deviceCompliancePolicies"] = "Compliance",
        ["deviceConfigurations"] = "DeviceConfiguration",
        ["deviceEnrollmentConfigurations"] = "Enrollment",
        ["roleDefinitions"] = "Role",
        ["roleAssignments"] = "Role",
        ["mobileApps"] = "Application",
        ["managedAppPolicies"] = "Application",
        ["iosManagedAppProtections"] = "Application",
        ["androidManagedAppProtections"] = "Application",
        ["settings"] = "Other",
    };

    public static IReadOnlyList<string> Categories { get; } = CategoryByCollection.Values.Append("Other").Distinct().Order(StringComparer.Ordinal).ToList();

    public Guid NewEventId() => Guid.CreateVersion7(time.GetUtcNow());

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Records a change made outside the REST pipeline (gRPC), with the caller taken from the request.</summary>
    public Task RecordAsync(string tenantId, HttpContext context, string activityType, string operation, string category, IReadOnlyList<AuditResource> resources, string result = "Success") =>
        AppendAsync(tenantId, Build(context, activityType, operation, category, result, resources));

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

    public async Task<AuditEvent?> GetAsync(string tenantId, Guid id)
    {
        if (AuditLogPartitions.TimeOf(id) is not { } minted)
        {
            return null;
        }

        var grains = await router.ForTenantAsync(tenantId);
        var events = await grains.GetGrain<IAuditLogGrain>(AuditLogPartitions.Key(tenantId, minted)).ListAsync();
        return events.FirstOrDefault(e => e.Id == id);
    }
}
