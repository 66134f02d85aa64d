using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Grpc;
using Intune.AdminGateway.Operations;
using Intune.AdminGateway.Resources.RetireRequests;
using Intune.Grains.Tenants;
using V1 = Intune.Admin.V1;

namespace Intune.AdminGateway.Resources.TenantSettings;

/// <summary>
/// <c>intune.admin.v1.TenantCompliance</c>: the tenant's compliance settings and the compliance
/// retire list, through the services REST uses.
/// </summary>
internal sealed class TenantComplianceGrpcService(TenantSettingsService settings, RetireRequestService retire, AuditRecorder audit) : V1.TenantCompliance.TenantComplianceBase, IAdminGrpcService
{
    public static IReadOnlyDictionary<string, GrpcOperation> Operations { get; } = new Dictionary<string, GrpcOperation>
    {
        [nameof(GetComplianceSettings)] = TenantSettingsOperations.Get,
        [nameof(UpdateComplianceSettings)] = TenantSettingsOperations.Update,
        [nameof(ListComplianceRetireRequests)] = RetireRequestOperations.List,
        [nameof(ConfirmComplianceRetireRequest)] = RetireRequestOperations.Confirm,
        [nameof(DismissComplianceRetireRequest)] = RetireRequestOperations.Dismiss,
    };

    public override async Task<V1.TenantComplianceSettings> GetComplianceSettings(V1.GetComplianceSettingsRequest request, ServerCallContext context) =>
        ToMessage(await settings.GetAsync(context.CallerTenantId()));

    public override async Task<V1.TenantComplianceSettings> UpdateComplianceSettings(V1.UpdateComplianceSettingsRequest request, ServerCallContext context) =>
        ToMessage(await settings.UpdateAsync(
            context.CallerTenantId(),
            request.HasDeviceComplianceCheckinThresholdDays ? request.DeviceComplianceCheckinThresholdDays : null,
            request.HasSecureByDefault ? request.SecureByDefault : null,
            request.HasIsScheduledActionEnabled ? request.IsScheduledActionEnabled : null,
            audit));

    public override async Task<V1.ListComplianceRetireRequestsResponse> ListComplianceRetireRequests(V1.ListComplianceRetireRequestsRequest request, ServerCallContext context)
    {
        var response = new V1.ListComplianceRetireRequestsResponse();
        response.Requests.AddRange((await retire.ListAsync(context.CallerTenantId())).Select(r => new V1.ComplianceRetireRequest
        {
            ManagedDeviceId = r.DeviceId,
            PolicyId = r.PolicyId,
            ActionType = AdminGrpcMessages.GraphName(r.Action),
            State = AdminGrpcMessages.GraphName(r.State),
            RequestedDateTime = AdminGrpcMessages.Time(r.RequestedDateTime),
            DecidedDateTime = AdminGrpcMessages.Time(r.DecidedDateTime),
        }));
        return response;
    }

    public override async Task<Empty> ConfirmComplianceRetireRequest(V1.ComplianceRetireRequestRef request, ServerCallContext context)
    {
        await retire.DecideAsync(context.CallerTenantId(), request.ManagedDeviceId, confirm: true, audit);
        return new Empty();
    }

    public override async Task<Empty> DismissComplianceRetireRequest(V1.ComplianceRetireRequestRef request, ServerCallContext context)
    {
        await retire.DecideAsync(context.CallerTenantId(), request.ManagedDeviceId, confirm: false, audit);
        return new Empty();
    }

    private static V1.TenantComplianceSettings ToMessage(ComplianceSettings settings) => new()
    {
        DeviceComplianceCheckinThresholdDays = settings.DeviceComplianceCheckinThresholdDays,
        SecureByDefault = settings.SecureByDefault,
        IsScheduledActionEnabled = settings.IsScheduledActionEnabled,
    };
}
