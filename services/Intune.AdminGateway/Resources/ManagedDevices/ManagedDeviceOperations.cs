using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Operations;

namespace Intune.AdminGateway.Resources.ManagedDevices;

/// <summary>The managed-device operations: their permissions and audit activities, for REST and gRPC.</summary>
public static class ManagedDeviceOperations
{
    private const string Resource = "ManagedDevice";

    public static readonly AdminOperation List = AdminOperation.Read("managedDevices.list", AdminPermissions.ManagedDevicesRead);
    public static readonly AdminOperation Get = AdminOperation.Read("managedDevices.get", AdminPermissions.ManagedDevicesRead);
    public static readonly AdminOperation ListPolicyStates = AdminOperation.Read("managedDevices.policyStates", AdminPermissions.ManagedDevicesRead);
    public static readonly AdminOperation ListNotifications = AdminOperation.Read("managedDevices.complianceNotifications", AdminPermissions.ManagedDevicesRead);
    public static readonly AdminOperation Update = AdminOperation.Change("managedDevices.update", AdminPermissions.ManagedDevicesUpdate, Resource, "Patch", AuditCategories.Device);
    public static readonly AdminOperation Delete = AdminOperation.Change("managedDevices.delete", AdminPermissions.ManagedDevicesDelete, Resource, "Delete", AuditCategories.Device);
}
