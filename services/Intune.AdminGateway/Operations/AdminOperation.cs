namespace Intune.AdminGateway.Operations;

/// <summary>
/// One operation of the admin application layer, declared once in its resource's
/// <c>…Operations</c> table: the permission a caller needs and, for a change, the audit activity
/// it records. The Graph endpoint and the gRPC method of the operation carry the same descriptor
/// (<see cref="AdminOperationEndpoints.Is{TBuilder}"/>, <see cref="IAdminGrpcService.Operations"/>);
/// <see cref="AdminOperationFilter"/> and <see cref="AdminOperationInterceptor"/> enforce and audit it.
/// </summary>
public sealed record AdminOperation(string Name, string Permission, AuditActivity? Audit)
{
    /// <summary>A read: permission only, no audit event.</summary>
    public static AdminOperation Read(string name, string permission) => new(name, permission, null);

    /// <summary>A change: its audit event is written whatever the outcome, Success or Failure.</summary>
    public static AdminOperation Change(string name, string permission, string resourceType, string operationType, string category, string? activity = null) =>
        new(name, permission, new AuditActivity($"{activity ?? operationType} {resourceType}", operationType, category, resourceType));
}

/// <summary>
/// How a change appears in the audit log, named as Intune names them: activity type
/// <c>"Create DeviceCompliancePolicy"</c> or <c>"wipe ManagedDevice"</c>, operation type
/// <c>Create/Patch/Delete/Action</c>, and the category the audit blade filters by.
/// </summary>
public sealed record AuditActivity(string ActivityType, string OperationType, string Category, string ResourceType);
