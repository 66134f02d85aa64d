using Grpc.Core;
using Grpc.Core.Interceptors;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Intune.AdminGateway.Grpc;

/// <summary>
/// The gRPC twin of <see cref="AuditMiddleware"/>: after an admin call ran, writes the auditEvent
/// of the change the application layer described in the call's <see cref="AuditRecorder"/>,
/// as a success or, when the call failed, a failure. Calls that describe nothing (reads,
/// permission refusals) write nothing.
/// </summary>
internal sealed class AdminAuditInterceptor(AuditLog log, ILogger<AdminAuditInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        TResponse response;
        try
        {
            response = await continuation(request, context);
        }
        catch (Exception)
        {
            await WriteAsync(context, "Failure");
            throw;
        }

        await WriteAsync(context, "Success");
        return response;
    }

    private async Task WriteAsync(ServerCallContext context, string result)
    {
        var http = context.GetHttpContext();
        var recorder = http.RequestServices.GetRequiredService<AuditRecorder>();
        if (recorder.ActivityType is not { } activityType || http.User.GetTenantId() is not { } tenantId)
        {
            return;
        }

        try
        {
            await log.AppendAsync(tenantId, log.Build(http, activityType, recorder.ActivityOperationType ?? "Action", recorder.Category ?? "Other", result, recorder.Resources));
        }
        catch (Exception e)
        {
            // The change itself has happened; losing its audit record is logged loudly rather than failing the call.
            logger.LogError(e, "Could not write the audit event of {Method} for tenant {TenantId}", context.Method, tenantId);
        }
    }
}
