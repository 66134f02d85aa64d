using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Operations;

namespace Intune.AdminGateway.Resources.RetireRequests;

/// <summary>The compliance retire list: listing it and deciding on its entries.</summary>
public static class RetireRequestOperations
{
    private const string Resource = "ComplianceRetireRequest";

    public static readonly AdminOperation List = AdminOperation.Read("complianceRetireRequests.list", AdminPermissions.ManagedDevicesRead);
    public static readonly AdminOperation Confirm = AdminOperation.Change("complianceRetireRequests.confirm", AdminPermissions.RemoteTasksRetire, Resource, "Action", AuditCategories.Other, "confirm");
    public static readonly AdminOperation Dismiss = AdminOperation.Change("complianceRetireRequests.dismiss", AdminPermissions.RemoteTasksRetire, Resource, "Action", AuditCategories.Other, "dismiss");
}
