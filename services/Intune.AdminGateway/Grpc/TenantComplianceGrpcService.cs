using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Auth;
using Intune.Grains.Tenants;
using Microsoft.AspNetCore.Authorization;
using V1 = Intune.Admin.V1;

namespace Intune.AdminGateway.Grpc;

/// <summary>
/// <c>intune.admin.v1.TenantCompliance</c>: the tenant's compliance settings (validated by the
/// tenant grain, 1–120 check-in days) and the compliance retire list, with REST's permissions.
/// </summary>
[Authorize(Policy = AdminGatewayExtensions.AdminPolicy)]
internal sealed class TenantComplianceGrpcService(PolicyAdministration admin) : V1.TenantCompliance.TenantComplianceBase
{
    public override Task<V1.TenantComplianceSettings> GetComplianceSettings(V1.GetComplianceSettingsRequest request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.OrganizationRead);
        return ToMessage(await (await admin.TenantAsync(tenantId)).GetSettingsAsync());
    });

    public override Task<V1.TenantComplianceSettings> UpdateComplianceSettings(V1.UpdateComplianceSettingsRequest request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.OrganizationUpdate);
        context.Audit("Patch DeviceManagement", "Patch", "Other").AddResource("DeviceManagement", tenantId);
        var updated = await (await admin.TenantAsync(tenantId)).UpdateSettingsAsync(
            request.HasDeviceComplianceCheckinThresholdDays ? request.DeviceComplianceCheckinThresholdDays : null,
            request.HasSecureByDefault ? request.SecureByDefault : null,
            request.HasIsScheduledActionEnabled ? request.IsScheduledActionEnabled : null);
        return ToMessage(updated);
    });

    public override Task<V1.ListComplianceRetireRequestsResponse> ListComplianceRetireRequests(V1.ListComplianceRetireRequestsRequest request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.ManagedDevicesRead);
        var response = new V1.ListComplianceRetireRequestsResponse();
        response.Requests.AddRange((await (await admin.TenantAsync(tenantId)).ListRetireRequestsAsync()).Select(r => new V1.ComplianceRetireRequest
        {
            ManagedDeviceId = r.DeviceId,
            PolicyId = r.PolicyId,
            ActionType = PolicyRpc.GraphName(r.Action),
            State = PolicyRpc.GraphName(r.State),
            RequestedDateTime = PolicyRpc.Time(r.RequestedDateTime),
            DecidedDateTime = PolicyRpc.Time(r.DecidedDateTime),
        }));
        return response;
    });

    public override Task<Empty> ConfirmComplianceRetireRequest(V1.ComplianceRetireRequestRef request, ServerCallContext context) =>
        DecideAsync(request, confirm: true, context);

    public override Task<Empty> DismissComplianceRetireRequest(V1.ComplianceRetireRequestRef request, ServerCallContext context) =>
        DecideAsync(request, confirm: false, context);

    private Task<Empty> DecideAsync(V1.ComplianceRetireRequestRef request, bool confirm, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.RemoteTasksRetire);
        context.Audit($"{(confirm ? "confirm" : "dismiss")} ComplianceRetireRequest", "Action", "Other").AddResource("ComplianceRetireRequest", request.ManagedDeviceId);
        await admin.DecideRetireAsync(tenantId, request.ManagedDeviceId, confirm);
        return new Empty();
    });

    private static V1.TenantComplianceSettings ToMessage(ComplianceSettings settings) => new()
    {
        DeviceComplianceCheckinThresholdDays = settings.DeviceComplianceCheckinThresholdDays,
        SecureByDefault = settings.SecureByDefault,
        IsScheduledActionEnabled = settings.IsScheduledActionEnabled,
    };
}
