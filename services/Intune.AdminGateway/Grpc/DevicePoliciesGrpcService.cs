using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.Grains.Policies;
using Microsoft.AspNetCore.Authorization;
using V1 = Intune.Admin.V1;

namespace Intune.AdminGateway.Grpc;

/// <summary>
/// <c>intune.admin.v1.DevicePolicies</c>: compliance policies and configuration profiles over the
/// application layer REST uses, with REST's permissions per kind and Graph's JSON bodies.
/// </summary>
[Authorize(Policy = AdminGatewayExtensions.AdminPolicy)]
internal sealed class DevicePoliciesGrpcService(PolicyAdministration admin) : V1.DevicePolicies.DevicePoliciesBase
{
    public override Task<V1.Policy> CreatePolicy(V1.CreatePolicyRequest request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var kind = PolicyRpc.Kind(request.Kind);
        var tenantId = await AdminCall.AuthorizeAsync(context, PolicyPermissions.For(kind).Create);
        var audit = Audit(context, kind, "Create");
        var created = await admin.CreatePolicyAsync(tenantId, kind, PolicyRpc.GraphBody(request.GraphBody, "graph_body"));
        audit.AddResource(PolicyRpc.AuditNames(kind).ResourceType, created.Id, created.DisplayName);
        return ToMessage(created, PolicyGraphMapping.Write(created, expandActions: false, null));
    });

    public override Task<V1.Policy> GetPolicy(V1.GetPolicyRequest request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var kind = PolicyRpc.Kind(request.Kind);
        var tenantId = await AdminCall.AuthorizeAsync(context, PolicyPermissions.For(kind).Read);
        var policy = await admin.FindPolicyAsync(tenantId, request.Id, kind);
        return await WriteAsync(tenantId, policy, request.ExpandScheduledActions, request.ExpandAssignments);
    });

    public override Task<V1.ListPoliciesResponse> ListPolicies(V1.ListPoliciesRequest request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var kind = PolicyRpc.Kind(request.Kind);
        var tenantId = await AdminCall.AuthorizeAsync(context, PolicyPermissions.For(kind).Read);
        var response = new V1.ListPoliciesResponse();
        foreach (var policy in await admin.ListPoliciesAsync(tenantId, kind))
        {
            response.Policies.Add(await WriteAsync(tenantId, policy, request.ExpandScheduledActions, request.ExpandAssignments));
        }

        return response;
    });

    public override Task<V1.Policy> UpdatePolicy(V1.UpdatePolicyRequest request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var kind = PolicyRpc.Kind(request.Kind);
        var tenantId = await AdminCall.AuthorizeAsync(context, PolicyPermissions.For(kind).Update);
        Audit(context, kind, "Patch", request.Id);
        var updated = await admin.UpdatePolicyAsync(tenantId, request.Id, kind, PolicyRpc.GraphBody(request.GraphBody, "graph_body"));
        return ToMessage(updated, PolicyGraphMapping.Write(updated, expandActions: false, null));
    });

    public override Task<Empty> DeletePolicy(V1.PolicyRef request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var kind = PolicyRpc.Kind(request.Kind);
        var tenantId = await AdminCall.AuthorizeAsync(context, PolicyPermissions.For(kind).Delete);
        Audit(context, kind, "Delete", request.Id);
        await admin.DeletePolicyAsync(tenantId, request.Id, kind);
        return new Empty();
    });

    public override Task<V1.PolicyAssignments> AssignPolicy(V1.AssignPolicyRequest request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var kind = PolicyRpc.Kind(request.Kind);
        var tenantId = await AdminCall.AuthorizeAsync(context, PolicyPermissions.For(kind).Assign);
        Audit(context, kind, "Action", request.Id, "assign");
        var targets = request.Targets.Select((t, i) => new AssignmentTarget(
            t.Kind switch
            {
                V1.AssignmentTargetKind.Group => AssignmentTargetKind.Group,
                V1.AssignmentTargetKind.ExclusionGroup => AssignmentTargetKind.ExclusionGroup,
                V1.AssignmentTargetKind.AllDevices => AssignmentTargetKind.AllDevices,
                V1.AssignmentTargetKind.AllLicensedUsers => AssignmentTargetKind.AllLicensedUsers,
                _ => throw AdminCall.InvalidArgument($"targets[{i}].kind must be GROUP, EXCLUSION_GROUP, ALL_DEVICES or ALL_LICENSED_USERS."),
            },
            t.Kind is V1.AssignmentTargetKind.Group or V1.AssignmentTargetKind.ExclusionGroup ? t.GroupId : null)).ToList();
        var assignments = await admin.AssignPolicyAsync(tenantId, request.Id, kind, targets);
        return ToMessage(assignments);
    });

    public override Task<V1.PolicyAssignments> ListPolicyAssignments(V1.PolicyRef request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var kind = PolicyRpc.Kind(request.Kind);
        var tenantId = await AdminCall.AuthorizeAsync(context, PolicyPermissions.For(kind).Read);
        return ToMessage(await (await admin.ExistingPolicyAsync(tenantId, request.Id, kind)).GetAssignmentsAsync());
    });

    public override Task<V1.Policy> ScheduleActionsForRules(V1.ScheduleActionsForRulesRequest request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, PolicyPermissions.Compliance.Update);
        Audit(context, PolicyKind.Compliance, "Action", request.Id, "scheduleActionsForRules");
        var rules = request.Rules.Select(r => new ScheduledActionRule(
            r.RuleName,
            r.ScheduledActionConfigurations.Select(a => PolicyGraphMapping.ActionItem(
                a.ActionType, a.GracePeriodHours, string.IsNullOrEmpty(a.NotificationTemplateId) ? null : a.NotificationTemplateId, a.NotificationMessageCcList.ToList())).ToList())).ToList();
        var updated = await admin.ScheduleActionsForRulesAsync(tenantId, request.Id, rules);
        return ToMessage(updated, PolicyGraphMapping.Write(updated, expandActions: true, null));
    });

    public override Task<V1.ListPolicyDeviceStatusesResponse> ListPolicyDeviceStatuses(V1.PolicyRef request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
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
            ComplianceGracePeriodExpirationDateTime = PolicyRpc.Time(r.GracePeriodExpiration),
            LastReportedDateTime = PolicyRpc.Time(r.LastReportedDateTime),
        }));
        return response;
    });

    public override Task<V1.PolicyStatusOverview> GetPolicyDeviceStatusOverview(V1.PolicyRef request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
        ToMessage(await (await ReadableAsync(request, context)).GetDeviceOverviewAsync()));

    public override Task<V1.ListPolicyUserStatusesResponse> ListPolicyUserStatuses(V1.PolicyRef request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var policy = await ReadableAsync(request, context);
        var response = new V1.ListPolicyUserStatusesResponse();
        response.Statuses.AddRange((await policy.GetUserStatusesAsync()).Select(r => new V1.PolicyUserStatus
        {
            UserPrincipalName = r.UserPrincipalName,
            Status = PolicyGraphMapping.ComplianceStatus(r.State),
            DevicesCount = r.DevicesCount,
            LastReportedDateTime = PolicyRpc.Time(r.LastReportedDateTime),
        }));
        return response;
    });

    public override Task<V1.PolicyStatusOverview> GetPolicyUserStatusOverview(V1.PolicyRef request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
        ToMessage(await (await ReadableAsync(request, context)).GetUserOverviewAsync()));

    public override Task<V1.DeviceStateSummary> GetDeviceStateSummary(V1.GetDeviceStateSummaryRequest request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var kind = PolicyRpc.Kind(request.Kind);
        var tenantId = await AdminCall.AuthorizeAsync(context, PolicyPermissions.For(kind).Read);
        var s = await admin.SummaryAsync(tenantId, kind);
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
    });

    public override Task<V1.ListDevicePolicyStatesResponse> ListDevicePolicyStates(V1.ListDevicePolicyStatesRequest request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var kind = PolicyRpc.Kind(request.Kind);
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.ManagedDevicesRead);
        var response = new V1.ListDevicePolicyStatesResponse();
        foreach (var s in await admin.DevicePolicyStatusesAsync(tenantId, request.DeviceId, kind))
        {
            var state = new V1.DevicePolicyState
            {
                PolicyId = s.PolicyId,
                DisplayName = s.DisplayName,
                OdataType = PolicySchemas.ODataNamespace + s.ODataType,
                Version = s.Version,
                State = PolicyGraphMapping.ComplianceStatus(s.State),
                GracePeriodExpirationDateTime = PolicyRpc.Time(s.GracePeriodExpiration),
                LastReportedDateTime = PolicyRpc.Time(s.LastReportedDateTime),
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
    });

    /// <summary>The policy's grain once the caller may read its kind and it exists in the caller's tenant.</summary>
    private async Task<IPolicyGrain> ReadableAsync(V1.PolicyRef request, ServerCallContext context)
    {
        var kind = PolicyRpc.Kind(request.Kind);
        var tenantId = await AdminCall.AuthorizeAsync(context, PolicyPermissions.For(kind).Read);
        return await admin.ExistingPolicyAsync(tenantId, request.Id, kind);
    }

    private async Task<V1.Policy> WriteAsync(string tenantId, PolicyDefinition policy, bool expandActions, bool expandAssignments)
    {
        var assignments = expandAssignments ? await (await admin.PolicyAsync(tenantId, policy.Id)).GetAssignmentsAsync() : null;
        return ToMessage(policy, PolicyGraphMapping.Write(policy, expandActions, assignments));
    }

    /// <summary>Describes the call's change before it is made, so a refused change is audited as a Failure.</summary>
    private static AuditRecorder Audit(ServerCallContext context, PolicyKind kind, string operation, string? policyId = null, string? action = null)
    {
        var (resourceType, category) = PolicyRpc.AuditNames(kind);
        var recorder = context.Audit($"{action ?? operation} {resourceType}", operation, category);
        if (policyId is not null)
        {
            recorder.AddResource(resourceType, policyId);
        }

        return recorder;
    }

    private static V1.Policy ToMessage(PolicyDefinition policy, System.Text.Json.Nodes.JsonObject graph) => new()
    {
        Id = policy.Id,
        Kind = PolicyRpc.Message(policy.Kind),
        OdataType = PolicySchemas.ODataNamespace + policy.ODataType,
        DisplayName = policy.DisplayName,
        Version = policy.Version,
        CreatedDateTime = PolicyRpc.Time(policy.CreatedDateTime),
        LastModifiedDateTime = PolicyRpc.Time(policy.LastModifiedDateTime),
        GraphBody = PolicyRpc.Struct(graph),
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
        LastUpdateDateTime = PolicyRpc.Time(overview.LastUpdateDateTime),
    };
}
