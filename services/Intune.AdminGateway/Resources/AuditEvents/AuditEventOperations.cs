using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Operations;

namespace Intune.AdminGateway.Resources.AuditEvents;

/// <summary>Reading the tenant's audit log.</summary>
public static class AuditEventOperations
{
    public static readonly AdminOperation List = AdminOperation.Read("auditEvents.list", AdminPermissions.AuditRead);
    public static readonly AdminOperation Get = AdminOperation.Read("auditEvents.get", AdminPermissions.AuditRead);
    public static readonly AdminOperation Categories = AdminOperation.Read("auditEvents.categories", AdminPermissions.AuditRead);
    public static readonly AdminOperation ActivityTypes = AdminOperation.Read("auditEvents.activityTypes", AdminPermissions.AuditRead);
}
