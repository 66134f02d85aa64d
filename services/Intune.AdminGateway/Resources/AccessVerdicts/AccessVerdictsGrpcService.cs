using Grpc.Core;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Grpc;
using Intune.AdminGateway.Operations;
using Intune.Grains.Devices;
using V1 = Intune.Admin.V1;

namespace Intune.AdminGateway.Resources.AccessVerdicts;

/// <summary>
/// <c>intune.admin.v1.AccessVerdicts</c>: "is this device managed and compliant", by id
/// (conditional access) or by serial number / MAC address (network access control).
/// </summary>
internal sealed class AccessVerdictsGrpcService(AccessVerdictService verdicts) : V1.AccessVerdicts.AccessVerdictsBase, IAdminGrpcService
{
    public static IReadOnlyDictionary<string, GrpcOperation> Operations { get; } = new Dictionary<string, GrpcOperation>
    {
        [nameof(GetConditionalAccessVerdict)] = AccessVerdictOperations.ConditionalAccess,
        [nameof(LookupNetworkAccessDevice)] = AccessVerdictOperations.NetworkAccessControl,
    };

    public override async Task<V1.AccessVerdict> GetConditionalAccessVerdict(V1.GetConditionalAccessVerdictRequest request, ServerCallContext context) =>
        ToMessage(await verdicts.ByDeviceAsync(context.CallerTenantId(), request.DeviceId));

    public override async Task<V1.AccessVerdict> LookupNetworkAccessDevice(V1.LookupNetworkAccessDeviceRequest request, ServerCallContext context) =>
        ToMessage(await verdicts.ByHardwareAsync(context.CallerTenantId(), request.SerialNumber, request.MacAddress));

    private static V1.AccessVerdict ToMessage(AccessVerdict verdict) => new()
    {
        DeviceId = verdict.DeviceId,
        IsManaged = verdict.IsManaged,
        IsCompliant = verdict.IsCompliant,
        ComplianceState = AdminGrpcMessages.GraphName(verdict.ComplianceState),
        ManagementState = AdminGrpcMessages.GraphName(verdict.ManagementState),
        LastSyncDateTime = AdminGrpcMessages.Time(verdict.LastSyncDateTime),
    };
}
