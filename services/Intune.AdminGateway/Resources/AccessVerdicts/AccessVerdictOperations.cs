using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Operations;

namespace Intune.AdminGateway.Resources.AccessVerdicts;

/// <summary>Conditional access and network access control look-ups: reads of the device's verdict.</summary>
public static class AccessVerdictOperations
{
    public static readonly AdminOperation ConditionalAccess = AdminOperation.Read("conditionalAccess.devices.get", AdminPermissions.ManagedDevicesRead);
    public static readonly AdminOperation NetworkAccessControl = AdminOperation.Read("networkAccessControl.devices.lookup", AdminPermissions.ManagedDevicesRead);
}
