using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Grpc;
using Intune.AdminGateway.Operations;
using Intune.AdminGateway.Resources.ManagedDevices;
using Intune.Grains.Errors;
using Intune.Grains.Policies;
using V1 = Intune.Admin.V1;

namespace Intune.AdminGateway.Resources.Policies;

/// <summary>
/// <c>intune.admin.v1.DevicePolicies</c>: compliance policies and configuration profiles over the
/// service REST uses, with each kind's operations (permissions, audit) and Graph's JSON bodies.
/// </summary>
internal sealed class PoliciesGrpcService(PolicyService policies, ManagedDeviceQueryService devices, AuditRecorder audit) : V1.DevicePolicies.DevicePoliciesBase, IAdminGrpcService
{
    public static IReadOnlyDictionary<string, GrpcOperation> Operations { get; } = new Dictionary<string, GrpcOperation>
    {
        [nameof(CreatePolicy)] = ByKind<V1.CreatePolicyRequest>(o => o.Create, r => r.Kind),
        [nameof(GetPolicy)] = ByKind<V1.GetPolicyRequest>(o => o.Get, r => r.Kind),
        [nameof(ListPolicies)] = ByKind<V1.ListPoliciesRequest>(o => o.List, r => r.Kind),
        [nameof(UpdatePolicy)] = ByKind<V1.UpdatePolicyRequest>(o => o.Update, r => r.Kind),
        [nameof(DeletePolicy)] = ByKind<V1.PolicyRef>(o => o.Delete, r => r.Kind),
        [nameof(AssignPolicy)] = ByKind<V1.AssignPolicyRequest>(o => o.Assign, r => r.Kind),
        [nameof(ListPolicyAssignments)] = ByKind<V1.PolicyRef>(o => o.Get, r => r.Kind),
        [nameof(ScheduleActionsForRules)] = PolicyOperations.Compliance.ScheduleActions,
        [nameof(ListPolicyDeviceStatuses)] = ByKind<V1.PolicyRef>(o => o.Reports, r => r.Kind),
        [nameof(GetPolicyDeviceStatusOverview)] = ByKind<V1.PolicyRef>(o => o.Reports, r => r.Kind),
        [nameof(ListPolicyUserStatuses)] = ByKind<V1.PolicyRef>(o => o.Reports, r => r.Kind),
        [nameof(GetPolicyUserStatusOverview)] = ByKind<V1.PolicyRef>(o => o.Reports, r => r.Kind),
        [nameof(GetDeviceStateSummary)] = ByKind<V1.GetDeviceStateSummaryRequest>(o => o.Summary, r => r.Kind),
        [nameof(ListDevicePolicyStates)] = ManagedDeviceOperations.ListPolicyStates,
    };

    public override async Task<V1.Policy> CreatePolicy(V1.CreatePolicyRequest request, ServerCallContext context)
    {
        var kind = AdminGrpcMessages.Kind(request.Kind);
        var tenantId = context.CallerTenantId();
        var created = await policies.CreateAsync(tenantId, kind, AdminGrpcMessages.GraphBody(request.GraphBody, "graph_body"), audit);
        return ToMessage(created, PolicyGraphMapping.Write(created, expandActions: false, null));
    }

    public override async Task<V1.Policy> GetPolicy(V1.GetPolicyRequest request, ServerCallContext context)
    {
        var kind = AdminGrpcMessages.Kind(request.Kind);
        var tenantId = context.CallerTenantId();
        var policy = await policies.GetAsync(tenantId, request.Id, kind);
        return await WriteAsync(tenantId, policy, request.ExpandScheduledActions, request.ExpandAssignments);
    }

    public override async Task<V1.ListPoliciesResponse> ListPolicies(V1.ListPoliciesRequest request, ServerCallContext context)
    {
        var kind = AdminGrpcMessages.Kind(request.Kind);
        var tenantId = context.CallerTenantId();
        var response = new V1.ListPoliciesResponse();
        foreach (var policy in await policies.ListAsync(tenantId, kind))
        {
            response.Policies.Add(await WriteAsync(tenantId, policy, request.ExpandScheduledActions, request.ExpandAssignments));
        }

        return response;
    }

    public override async Task<V1.Policy> UpdatePolicy(V1.UpdatePolicyRequest request, ServerCallContext context)
    {
        var kind = AdminGrpcMessages.Kind(request.Kind);
        var tenantId = context.CallerTenantId();
        var updated = await policies.UpdateAsync(tenantId, request.Id, kind, AdminGrpcMessages.GraphBody(request.GraphBody, "graph_body"), audit);
        return ToMessage(updated, PolicyGraphMapping.Write(updated, expandActions: false, null));
    }

    public override async Task<Empty> DeletePolicy(V1.PolicyRef request, ServerCallContext context)
    {
        var kind = AdminGrpcMessages.Kind(request.Kind);
        var tenantId = context.CallerTenantId();
        await policies.DeleteAsync(tenantId, request.Id, kind, audit);
        return new Empty();
    }

    public override async Task<V1.PolicyAssignments> AssignPolicy(V1.AssignPolicyRequest request, ServerCallContext context)
    {
        var kind = AdminGrpcMessages.Kind(request.Kind);
        var tenantId = context.CallerTenantId();
        var targets = request.Targets.Select((t, i) => new AssignmentTarget(
            t.Kind switch
            {
                V1.AssignmentTargetKind.Group => AssignmentTargetKind.Group,
                V1.AssignmentTargetKind.ExclusionGroup => AssignmentTargetKind.ExclusionGroup,
                V1.AssignmentTargetKind.AllDevices => AssignmentTargetKind.AllDevices,
                V1.AssignmentTargetKind.AllLicensedUsers => AssignmentTargetKind.AllLicensedUsers,
                _ => throw new InvalidRequestException($"targets[{i}].kind must be GROUP, EXCLUSION_GROUP, ALL_DEVICES or ALL_LICENSED_USERS.", $"targets[{i}].kind"),
            },
            t.Kind is V1.AssignmentTargetKind.Group or V1.AssignmentTargetKind.ExclusionGroup ? t.GroupId : null)).ToList();
        var assignments = await policies.AssignAsync(tenantId, request.Id, kind, targets, audit);
        return ToMessage(assignments);
    }

    public override async Task<V1.PolicyAssignments> ListPolicyAssignments(V1.PolicyRef request, ServerCallContext context)
    {
        var kind = AdminGrpcMessages.Kind(request.Kind);
        var tenantId = context.CallerTenantId();
        return ToMessage(await (await policies.ExistingAsync(tenantId, request.Id, kind)).GetAssignmentsAsync());
    }

    public override async Task<V1.Policy> ScheduleActionsForRules(V1.ScheduleActionsForRulesRequest request, ServerCallContext context)
    {
        var tenantId = context.CallerTenantId();
        var rules = request.Rules.Select(r => new ScheduledActionRule(
            r.RuleName,
            r.ScheduledActionConfigurations.Select(a => PolicyGraphMapping.ActionItem(
                a.ActionType, a.GracePeriodHours, string.IsNullOrEmpty(a.NotificationTemplateId) ? null : a.NotificationTemplateId, a.NotificationMessageCcList.ToList())).ToList())).ToList();
        var updated = await policies.ScheduleActionsForRulesAsync(tenantId, request.Id, rules, audit);
        return ToMessage(updated, PolicyGraphMapping.Write(updated, expandActions: true, null));
    }

    public override async Task<V1.ListPolicyDeviceStatusesResponse> ListPolicyDeviceStatuses(V1.PolicyRef request, ServerCallContext context)
    {
        var policy = await ReadableAsync(request, context);
        var response = new V1.ListPolicyDeviceStatusesResponse();
        response.Statuses.AddRange((await policy.GetDeviceStatusesAsync()).Select(r => new V1.PolicyDeviceStatus
        {
            DeviceId = r.DeviceId,
            DeviceDisplayName = r.DeviceDisplayName ?? string.Empty,
            DeviceModel = r.DeviceModel ?? string.Empty,
            UserPrincipalName = r.UserPrincipalName ?? string.Empty,
            Status = PolicyGraphMapping.ComplianceStatus(r.State),
            InGracePeriod = r.State == PolicyDeviceState.InGracePeriod,
            ComplianceGracePeriodExpirationDateTime = AdminGrpcMessages.Time(r.GracePeriodExpiration),
            LastReportedDateTime = AdminGrpcMessages.Time(r.LastReportedDateTime),
        }));
        return response;
    }

    public override async Task<V1.PolicyStatusOverview> GetPolicyDeviceStatusOverview(V1.PolicyRef request, ServerCallContext context) =>
        ToMessage(await (await ReadableAsync(request, context)).GetDeviceOverviewAsync());

    public override async Task<V1.ListPolicyUserStatusesResponse> ListPolicyUserStatuses(V1.PolicyRef request, ServerCallContext context)
    {
        var policy = await ReadableAsync(request, context);
        var response = new V1.ListPolicyUserStatusesResponse();
        response.Statuses.AddRange((await policy.GetUserStatusesAsync()).Select(r => new V1.PolicyUserStatus
        {
            UserPrincipalName = r.UserPrincipalName,
            Status = PolicyGraphMapping.ComplianceStatus(r.State),
            DevicesCount = r.DevicesCount,
            LastReportedDateTime = AdminGrpcMessages.Time(r.LastReportedDateTime),
        }));
        return response;
    }

    public override async Task<V1.PolicyStatusOverview> GetPolicyUserStatusOverview(V1.PolicyRef request, ServerCallContext context) =>
        ToMessage(await (await ReadableAsync(request, context)).GetUserOverviewAsync());

    public override async Task<V1.DeviceStateSummary> GetDeviceStateSummary(V1.GetDeviceStateSummaryRequest request, ServerCallContext context)
    {
        var kind = AdminGrpcMessages.Kind(request.Kind);
        var tenantId = context.CallerTenantId();
        var s = await policies.SummaryAsync(tenantId, kind);
        return new V1.DeviceStateSummary
        {
            UnknownDeviceCount = s.UnknownDeviceCount,
            NotApplicableDeviceCount = s.NotApplicableDeviceCount,
            CompliantDeviceCount = s.CompliantDeviceCount,
            InGracePeriodCount = s.InGracePeriodCount,
            NonCompliantDeviceCount = s.NonCompliantDeviceCount,
            ErrorDeviceCount = s.ErrorDeviceCount,
            ConflictDeviceCount = s.ConflictDeviceCount,
        };
    }

    public override async Task<V1.ListDevicePolicyStatesResponse> ListDevicePolicyStates(V1.ListDevicePolicyStatesRequest request, ServerCallContext context)
    {
        var kind = AdminGrpcMessages.Kind(request.Kind);
        var tenantId = context.CallerTenantId();
        var response = new V1.ListDevicePolicyStatesResponse();
        foreach (var s in await devices.PolicyStatesAsync(tenantId, request.DeviceId, kind))
        {
            var state = new V1.DevicePolicyState
            {
                PolicyId = s.PolicyId,
                DisplayName = s.DisplayName,
                OdataType = PolicySchemas.ODataNamespace + s.ODataType,
                Version = s.Version,
                State = PolicyGraphMapping.ComplianceStatus(s.State),
                GracePeriodExpirationDateTime = AdminGrpcMessages.Time(s.GracePeriodExpiration),
                LastReportedDateTime = AdminGrpcMessages.Time(s.LastReportedDateTime),
            };
            state.SettingStates.AddRange(s.Settings.Select(r => new V1.DevicePolicySettingState
            {
                Setting = r.Setting,
                State = PolicyGraphMapping.ComplianceStatus(r.State),
                ExpectedValue = r.Expected ?? string.Empty,
                CurrentValue = r.Actual ?? string.Empty,
                ErrorDescription = r.Detail ?? string.Empty,
            }));
            response.States.Add(state);
        }

        return response;
    }

    /// <summary>The grain of the policy the request names, once it exists in the caller's tenant.</summary>
    private Task<IPolicyGrain> ReadableAsync(V1.PolicyRef request, ServerCallContext context) =>
        policies.ExistingAsync(context.CallerTenantId(), request.Id, AdminGrpcMessages.Kind(request.Kind));

    private async Task<V1.Policy> WriteAsync(string tenantId, PolicyDefinition policy, bool expandActions, bool expandAssignments) =>
        ToMessage(policy, PolicyGraphMapping.Write(policy, expandActions, await policies.AssignmentsAsync(tenantId, policy.Id, expandAssignments)));

    private static V1.Policy ToMessage(PolicyDefinition policy, System.Text.Json.Nodes.JsonObject graph) => new()
    {
        Id = policy.Id,
        Kind = AdminGrpcMessages.Message(policy.Kind),
        OdataType = PolicySchemas.ODataNamespace + policy.ODataType,
        DisplayName = policy.DisplayName,
        Version = policy.Version,
        CreatedDateTime = AdminGrpcMessages.Time(policy.CreatedDateTime),
        LastModifiedDateTime = AdminGrpcMessages.Time(policy.LastModifiedDateTime),
        GraphBody = AdminGrpcMessages.Struct(graph),
    };

    private static V1.PolicyAssignments ToMessage(IReadOnlyList<PolicyAssignment> assignments)
    {
        var message = new V1.PolicyAssignments();
        message.Assignments.AddRange(assignments.Select(a => new V1.PolicyAssignment
        {
            Id = a.Id,
            Target = new V1.PolicyAssignmentTarget
            {
                Kind = a.Target.Kind switch
                {
                    AssignmentTargetKind.Group => V1.AssignmentTargetKind.Group,
                    AssignmentTargetKind.ExclusionGroup => V1.AssignmentTargetKind.ExclusionGroup,
                    AssignmentTargetKind.AllDevices => V1.AssignmentTargetKind.AllDevices,
                    _ => V1.AssignmentTargetKind.AllLicensedUsers,
                },
                GroupId = a.Target.GroupId ?? string.Empty,
            },
        }));
        return message;
    }

    private static V1.PolicyStatusOverview ToMessage(PolicyOverview overview) => new()
    {
        PendingCount = overview.PendingCount,
        NotApplicableCount = overview.NotApplicableCount,
        SuccessCount = overview.SuccessCount,
        ErrorCount = overview.ErrorCount,
        FailedCount = overview.FailedCount,
        ConflictCount = overview.ConflictCount,
        ConfigurationVersion = overview.ConfigurationVersion,
        LastUpdateDateTime = AdminGrpcMessages.Time(overview.LastUpdateDateTime),
    };

    /// <summary>The operation of the policy kind the request names (an unnamed kind is refused before the permission check).</summary>
    private static GrpcOperation ByKind<TRequest>(Func<PolicyOperations, AdminOperation> operation, Func<TRequest, V1.PolicyKind> kind) =>
        GrpcOperation.ByRequest<TRequest>(PolicyOperations.Both(operation), r => operation(PolicyOperations.For(AdminGrpcMessages.Kind(kind(r)))));
}
