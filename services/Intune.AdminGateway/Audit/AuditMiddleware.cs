using Intune.AdminGateway.Application;
using Intune.AdminGateway.Auth;
using Intune.Grains.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Intune.AdminGateway.Audit;

/// <summary>
/// Writes an auditEvent for every mutating admin call by an authenticated tenant caller, after
/// the handler ran (so the result is known), with what the handler put in the
/// <see cref="AuditRecorder"/>. Being middleware, APIs added later are audited without opting in.
/// </summary>
public sealed class AuditMiddleware(RequestDelegate next, AuditLog log, ILogger<AuditMiddleware> logger)
{
    private const string Prefix = "/v1.0/deviceManagement/";

    public async Task InvokeAsync(HttpContext context, AuditRecorder recorder)
    {
        var method = context.Request.Method;
        var tenantId = context.User.GetTenantId();
        var path = context.Request.Path.Value ?? string.Empty;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || tenantId is null
            || !path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        await next(context);
        var status = context.Response.StatusCode;
        if (status is StatusCodes.Status429TooManyRequests or StatusCodes.Status401Unauthorized)
        {
            return;
        }

        try
        {
            await log.AppendAsync(tenantId, Describe(context, recorder, path[Prefix.Length..], status));
        }
        catch (Exception e)
        {
            // The change itself has happened; losing its audit record is logged loudly rather than failing the call.
            logger.LogError(e, "Could not write the audit event of {Method} {Path} for tenant {TenantId}", method, path, tenantId);
        }
    }

    private AuditEvent Describe(HttpContext context, AuditRecorder recorder, string relativePath, int status)
    {
        var segments = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var collection = segments.Length > 0 ? segments[0] : "deviceManagement";
        var resourceType = ResourceType(collection);
        var method = context.Request.Method;
        var operation = recorder.ActivityOperationType ?? method.ToUpperInvariant() switch
        {
            "DELETE" => "Delete",
            "PATCH" => "Patch",
            "PUT" => "Set",
            _ when segments.Length >= 3 => "Action",
            _ => "Create",
        };
        var activityType = recorder.ActivityType ?? (operation == "Action" ? $"{segments[^1]} {resourceType}" : $"{operation} {resourceType}");
        var resources = recorder.Resources.Count > 0 || segments.Length < 2
            ? recorder.Resources
            : [new AuditResource(segments[1], resourceType, segments[1], [])];
        var category = recorder.Category ?? AuditLog.CategoryByCollection.GetValueOrDefault(collection, "Other");
        return log.Build(context, activityType, operation, category, status < 400 ? "Success" : "Failure", resources);
    }

    /// <summary><c>deviceCompliancePolicies</c> → <c>DeviceCompliancePolicy</c>.</summary>
    private static string ResourceType(string collection)
    {
        var singular = collection.EndsWith("ies", StringComparison.Ordinal) ? collection[..^3] + "y"
            : collection.EndsWith('s') ? collection[..^1]
            : collection;
        return singular.Length == 0 ? singular : char.ToUpperInvariant(singular[0]) + singular[1..];
    }
}
