using Grpc.Core;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Auth;
using Intune.Grains.Devices;
using Microsoft.AspNetCore.Authorization;
using V1 = Intune.Admin.V1;

namespace Intune.AdminGateway.Grpc;

/// <summary>
/// <c>intune.admin.v1.AccessVerdicts</c>: "is this device managed and compliant", by id
/// (conditional access) or by serial number / MAC address (network access control).
/// </summary>
[Authorize(Policy = AdminGatewayExtensions.AdminPolicy)]
internal sealed class AccessVerdictsGrpcService(PolicyAdministration admin) : V1.AccessVerdicts.AccessVerdictsBase
{
    public override Task<V1.AccessVerdict> GetConditionalAccessVerdict(V1.GetConditionalAccessVerdictRequest request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
        ToMessage(await admin.VerdictAsync(await AdminCall.AuthorizeAsync(context, AdminPermissions.ManagedDevicesRead), request.DeviceId)));

    public override Task<V1.AccessVerdict> LookupNetworkAccessDevice(V1.LookupNetworkAccessDeviceRequest request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
        ToMessage(await admin.VerdictByHardwareAsync(await AdminCall.AuthorizeAsync(context, AdminPermissions.ManagedDevicesRead), request.SerialNumber, request.MacAddress)));

    private static V1.AccessVerdict ToMessage(AccessVerdict verdict) => new()
    {
        DeviceId = verdict.DeviceId,
        IsManaged = verdict.IsManaged,
        IsCompliant = verdict.IsCompliant,
        ComplianceState = PolicyRpc.GraphName(verdict.ComplianceState),
        ManagementState = PolicyRpc.GraphName(verdict.ManagementState),
        LastSyncDateTime = PolicyRpc.Time(verdict.LastSyncDateTime),
    };
}
