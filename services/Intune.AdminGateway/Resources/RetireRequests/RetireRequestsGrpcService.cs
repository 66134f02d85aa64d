using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Grpc;
using Intune.AdminGateway.Operations;
using V1 = Intune.Admin.V1;

namespace Intune.AdminGateway.Resources.RetireRequests;

/// <summary><c>intune.admin.v1.ComplianceRetireRequests</c>: the compliance retire list, through the service REST uses.</summary>
internal sealed class RetireRequestsGrpcService(RetireRequestService retire, AuditRecorder audit) : V1.ComplianceRetireRequests.ComplianceRetireRequestsBase, IAdminGrpcService
{
    public static IReadOnlyDictionary<string, GrpcOperation> Operations { get; } = new Dictionary<string, GrpcOperation>
    {
        [nameof(ListComplianceRetireRequests)] = RetireRequestOperations.List,
        [nameof(ConfirmComplianceRetireRequest)] = RetireRequestOperations.Confirm,
        [nameof(DismissComplianceRetireRequest)] = RetireRequestOperations.Dismiss,
    };

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
}
