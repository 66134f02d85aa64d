using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Operations;
using Intune.Grains.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Intune.AdminGateway.Audit;

/// <summary>
/// Writes the one auditEvent of an admin change, for both fronts: the activity its
/// <see cref="AdminOperation"/> declares, the caller and correlation id of the request, the
/// resources the application service recorded in the call's <see cref="AuditRecorder"/> (or the
/// object the request named, when the change was refused before touching anything).
/// </summary>
public sealed class AuditWriter(AuditLog log, ILogger<AuditWriter> logger)
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
        try
        {
            await log.AppendAsync(tenantId, log.Build(context, activity.ActivityType, activity.OperationType, activity.Category, succeeded ? "Success" : "Failure", resources));
        }
        catch (Exception e)
        {
            // The change itself has happened; losing its audit record is logged loudly rather than failing the call.
            logger.LogError(e, "Could not write the audit event '{Activity}' for tenant {TenantId}", activity.ActivityType, tenantId);
        }
    }
}
