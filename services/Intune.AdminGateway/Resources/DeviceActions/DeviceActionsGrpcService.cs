using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.Admin.V1;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Grpc;
using Intune.AdminGateway.Operations;
using Intune.Grains.Devices;

namespace Intune.AdminGateway.Resources.DeviceActions;

/// <summary><c>intune.admin.v1.ManagedDeviceActions</c>: the remote actions, through the service REST uses.</summary>
internal sealed class DeviceActionsGrpcService(DeviceActionService actions, AuditRecorder audit) : ManagedDeviceActions.ManagedDeviceActionsBase, IAdminGrpcService
{
    public static IReadOnlyDictionary<string, GrpcOperation> Operations { get; } = new Dictionary<string, GrpcOperation>
    {
        [nameof(RemoteLock)] = DeviceActionOperations.ByKind[DeviceActionKind.RemoteLock],
        [nameof(Retire)] = DeviceActionOperations.ByKind[DeviceActionKind.Retire],
        [nameof(Wipe)] = DeviceActionOperations.ByKind[DeviceActionKind.Wipe],
        [nameof(SyncDevice)] = DeviceActionOperations.ByKind[DeviceActionKind.SyncDevice],
        [nameof(RebootNow)] = DeviceActionOperations.ByKind[DeviceActionKind.RebootNow],
        [nameof(ResetPasscode)] = DeviceActionOperations.ByKind[DeviceActionKind.ResetPasscode],
        [nameof(ShutDown)] = DeviceActionOperations.ByKind[DeviceActionKind.ShutDown],
    };

    public override Task<Empty> RemoteLock(ManagedDeviceActionRequest request, ServerCallContext context) => RequestAsync(request.Id, new DeviceActionRequest(DeviceActionKind.RemoteLock), context);

    public override Task<Empty> Retire(ManagedDeviceActionRequest request, ServerCallContext context) => RequestAsync(request.Id, new DeviceActionRequest(DeviceActionKind.Retire), context);

    public override Task<Empty> Wipe(WipeManagedDeviceRequest request, ServerCallContext context) =>
        RequestAsync(request.Id, new DeviceActionRequest(DeviceActionKind.Wipe, request.KeepEnrollmentData, request.KeepUserData, request.MacOsUnlockCode.Length == 0 ? null : request.MacOsUnlockCode), context);

    public override Task<Empty> SyncDevice(ManagedDeviceActionRequest request, ServerCallContext context) => RequestAsync(request.Id, new DeviceActionRequest(DeviceActionKind.SyncDevice), context);

    public override Task<Empty> RebootNow(ManagedDeviceActionRequest request, ServerCallContext context) => RequestAsync(request.Id, new DeviceActionRequest(DeviceActionKind.RebootNow), context);

    public override Task<Empty> ResetPasscode(ManagedDeviceActionRequest request, ServerCallContext context) => RequestAsync(request.Id, new DeviceActionRequest(DeviceActionKind.ResetPasscode), context);

    public override Task<Empty> ShutDown(ManagedDeviceActionRequest request, ServerCallContext context) => RequestAsync(request.Id, new DeviceActionRequest(DeviceActionKind.ShutDown), context);

    private async Task<Empty> RequestAsync(string id, DeviceActionRequest action, ServerCallContext context)
    {
        await actions.RequestAsync(context.CallerTenantId(), AdminGrpcMessages.Required(id, "id"), action, audit);
        return new Empty();
    }
}
