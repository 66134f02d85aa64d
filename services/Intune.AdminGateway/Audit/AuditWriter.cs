using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Operations;
using Intune.Grains.Audit;
using Intune.Grains.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Intune.AdminGateway.Audit;

/// <summary>
/// Writes the one auditEvent of an admin change, for both fronts: the activity its
/// <see cref="AdminOperation"/> declares, the caller and correlation id of the request, the
/// resources the application service recorded in the call's <see cref="AuditRecorder"/> (or the
/// object the request named, when the change was refused before touching anything). A successful
/// change is always recorded: if its event cannot be written the call fails with 503. Failed and
/// forbidden attempts go through <see cref="FailedAttemptAudit"/>, so a flood of them is summarized.
/// </summary>
public sealed class AuditWriter(AuditLog log, FailedAttemptAudit failures, ILogger<AuditWriter> logger)
{
    public async Task WriteAsync(HttpContext context, AuditActivity activity, bool succeeded, string? requestedResourceId)
    {
        if (context.User.GetTenantId() is not { } tenantId)
        {
            return;
        }

        var recorder = context.RequestServices.GetRequiredService<AuditRecorder>();
        IReadOnlyList<AuditResource> resources = recorder.Resources.Count > 0 || requestedResourceId is null
            ? recorder.Resources
            : [new AuditResource(requestedResourceId, activity.ResourceType, requestedResourceId, [])];
        var auditEvent = log.Build(context, activity.ActivityType, activity.OperationType, activity.Category, succeeded ? "Success" : "Failure", resources);
        if (succeeded)
        {
            await AppendChangeAsync(tenantId, auditEvent);
        }
        else if (failures.Admit(tenantId, auditEvent))
        {
            await AppendFailureAsync(tenantId, auditEvent);
        }
    }

    /// <exception cref="UnavailableException">The change happened but could not be audited.</exception>
    private async Task AppendChangeAsync(string tenantId, AuditEvent auditEvent)
    {
        try
        {
            await log.AppendAsync(tenantId, auditEvent);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogCritical(e, "The change '{Activity}' of tenant {TenantId} was made but its audit event {EventId} could not be written", auditEvent.ActivityType, tenantId, auditEvent.Id);
            throw new UnavailableException(
                $"The change was made but its audit event could not be recorded, so the call is reported as failed (correlation id {auditEvent.CorrelationId}); check the object and retry.",
                TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>The attempt already failed; losing its record is logged, not added to the caller's error.</summary>
    private async Task AppendFailureAsync(string tenantId, AuditEvent auditEvent)
    {
        try
        {
            await log.AppendAsync(tenantId, auditEvent);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not write the audit event of a failed '{Activity}' for tenant {TenantId}", auditEvent.ActivityType, tenantId);
        }
    }
}
