using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Operations;
using Intune.Grains.Devices;

namespace Intune.AdminGateway.Resources.DeviceActions;

/// <summary>The remote actions on a managed device: one operation per action, each with its RemoteTasks permission.</summary>
public static class DeviceActionOperations
{
    public static readonly IReadOnlyDictionary<DeviceActionKind, AdminOperation> ByKind = new Dictionary<DeviceActionKind, AdminOperation>
    {
        [DeviceActionKind.RemoteLock] = Action(DeviceActionKind.RemoteLock, AdminPermissions.RemoteTasksRemoteLock),
        [DeviceActionKind.Retire] = Action(DeviceActionKind.Retire, AdminPermissions.RemoteTasksRetire),
        [DeviceActionKind.Wipe] = Action(DeviceActionKind.Wipe, AdminPermissions.RemoteTasksWipe),
        [DeviceActionKind.SyncDevice] = Action(DeviceActionKind.SyncDevice, AdminPermissions.RemoteTasksSyncDevice),
        [DeviceActionKind.RebootNow] = Action(DeviceActionKind.RebootNow, AdminPermissions.RemoteTasksRebootNow),
        [DeviceActionKind.ResetPasscode] = Action(DeviceActionKind.ResetPasscode, AdminPermissions.RemoteTasksResetPasscode),
        [DeviceActionKind.ShutDown] = Action(DeviceActionKind.ShutDown, AdminPermissions.RemoteTasksShutDown),
    };

    private static AdminOperation Action(DeviceActionKind kind, string permission) =>
        AdminOperation.Change($"managedDevices.{DeviceActionService.ActionName(kind)}", permission, "ManagedDevice", "Action", AuditCategories.Device, DeviceActionService.ActionName(kind));
}
