using Grpc.Core;
using Intune.AdminGateway.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Intune.AdminGateway.Grpc;

public static class AuditInterceptorExtensions
{
    /// <summary>
    /// Describes the change this call is about to make, for <see cref="AdminAuditInterceptor"/> to write
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
