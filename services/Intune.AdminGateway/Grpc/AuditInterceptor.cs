using Grpc.Core;
using Grpc.Core.Interceptors;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Intune.AdminGateway.Grpc;

/// <summary>
/// The gRPC twin of <see cref="AuditMiddleware"/>: after a unary admin call whose service described
/// its change in the request's <see cref="AuditRecorder"/> (<see cref="AuditInterceptorExtensions.Audit"/>),
/// writes the auditEvent with the outcome, Success or Failure, as REST does. Calls that describe
/// nothing (reads, and calls refused before they start) write nothing.
/// </summary>
public sealed class AuditInterceptor(AuditLog log, ILogger<AuditInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var result = "Failure";
        try
        {
            var response = await continuation(request, context);
            result = "Success";
            return response;
        }
        finally
        {
            await WriteAsync(context, result);
        }
    }

    private async Task WriteAsync(ServerCallContext context, string result)
    {
        var http = context.GetHttpContext();
        var recorder = http.RequestServices.GetRequiredService<AuditRecorder>();
        var tenantId = http.User.GetTenantId();
        if (recorder.ActivityType is not { } activityType || tenantId is null)
        {
            return;
        }

        try
        {
            await log.RecordAsync(tenantId, http, activityType, recorder.ActivityOperationType ?? "Action", recorder.Category ?? "Other", recorder.Resources, result);
        }
        catch (Exception e)
        {
            // The change itself has happened (or failed on its own); losing its audit record is logged loudly rather than failing the call.
            logger.LogError(e, "Could not write the audit event of {Method} for tenant {TenantId}", context.Method, tenantId);
        }
    }
}

public static class AuditInterceptorExtensions
{
    /// <summary>
    /// Describes the change this call is about to make, for <see cref="AuditInterceptor"/> to write
    /// once the call has ended, whatever its outcome. Call it after authorisation and before the
    /// change; add the resources touched to the returned recorder. Activity names follow REST's:
    /// "Create DeviceCompliancePolicy", "assign DeviceConfiguration".
    /// </summary>
    public static AuditRecorder Audit(this ServerCallContext context, string activityType, string operation, string category)
    {
        var recorder = context.GetHttpContext().RequestServices.GetRequiredService<AuditRecorder>();
        recorder.ActivityType = activityType;
        recorder.ActivityOperationType = operation;
        recorder.Category = category;
        return recorder;
    }

    /// <summary>Records a touched resource without a before/after diff.</summary>
    public static void AddResource(this AuditRecorder recorder, string resourceType, string resourceId, string? displayName = null) =>
        recorder.AddResource(resourceType, resourceId, displayName ?? resourceId, before: null, after: null);
}
