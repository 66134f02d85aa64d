using System.Text.Json.Nodes;
using Intune.AdminGateway.Graph;
using Intune.Grains;
using Intune.Grains.Devices;
using Intune.Grains.Groups;
using Intune.Grains.Policies;
using Intune.Grains.Tenants;
using Intune.Grains.Users;
using Intune.Routing;

namespace Intune.AdminGateway.Application;

/// <summary>
/// Compliance policies, configuration profiles, groups, tenant compliance settings, reports and
/// access verdicts for admins: the one place the REST and gRPC fronts call. Refusals are
/// <see cref="PolicyValidationException"/> (400 / InvalidArgument) and
/// <see cref="ObjectNotFoundException"/> (404 / NotFound), with messages both fronts show as they are.
/// Policy bodies are Graph JSON on both fronts, so one mapping validates every setting.
/// </summary>
public sealed class PolicyAdministration(IScaleUnitRouter router)
{
    private async Task<IGrainFactory> GrainsAsync(string tenantId) => await router.ForTenantAsync(tenantId);

    /// <summary>Graph's entity name of a policy kind, as error messages and audit events name it.</summary>
    public static string EntityName(PolicyKind kind) => kind == PolicyKind.Compliance ? "deviceCompliancePolicy" : "deviceConfiguration";

    public async Task<IPolicyGrain> PolicyAsync(string tenantId, string policyId) =>
        (await GrainsAsync(tenantId)).GetGrain<IPolicyGrain>(GrainKeys.Scoped(tenantId, policyId));

    /// <summary>The policy if it exists and is of the given kind (a profile is not found as a compliance policy).</summary>
    public async Task<PolicyDefinition?> GetPolicyAsync(string tenantId, string policyId, PolicyKind kind)
    {
        if (!Guid.TryParse(policyId, out _))
        {
            return null;
        }

        var definition = await (await PolicyAsync(tenantId, policyId)).GetAsync();
        return definition?.Kind == kind ? definition : null;
    }

    /// <summary>The policy, or <see cref="ObjectNotFoundException"/> (another tenant's policy is not found either).</summary>
    public async Task<PolicyDefinition> FindPolicyAsync(string tenantId, string policyId, PolicyKind kind) =>
        await GetPolicyAsync(tenantId, policyId, kind)
            ?? throw new ObjectNotFoundException($"No {EntityName(kind)} with id '{policyId}' exists in this tenant.");

    /// <summary>The grain of a policy that exists with this kind in this tenant (for its assignments and reports).</summary>
    public async Task<IPolicyGrain> ExistingPolicyAsync(string tenantId, string policyId, PolicyKind kind)
    {
        await FindPolicyAsync(tenantId, policyId, kind);
        return await PolicyAsync(tenantId, policyId);
    }

    public async Task<IReadOnlyList<PolicyDefinition>> ListPoliciesAsync(string tenantId, PolicyKind kind)
    {
        var grains = await GrainsAsync(tenantId);
        var entries = await grains.GetGrain<ITenantComplianceGrain>(tenantId).ListPoliciesAsync(kind);
        var definitions = await Task.WhenAll(entries.Select(e => grains.GetGrain<IPolicyGrain>(GrainKeys.Scoped(tenantId, e.PolicyId)).GetAsync()));
        return definitions.OfType<PolicyDefinition>().ToList();
    }

    /// <summary>Creates a policy from its Graph body (<c>@odata.type</c> and settings), version 1.</summary>
    public async Task<PolicyDefinition> CreatePolicyAsync(string tenantId, PolicyKind kind, JsonObject graphBody)
    {
        var (schema, update, displayName) = PolicyGraphMapping.Read(graphBody, kind, existing: null);
        if (kind == PolicyKind.Compliance && update.ScheduledActions is null)
        {
            throw new PolicyValidationException("Compliance policy must have one and only one block scheduled action");
        }

        var id = Guid.NewGuid().ToString();
        return await (await PolicyAsync(tenantId, id)).CreateAsync(new PolicyDefinition
        {
            Id = id,
            Kind = kind,
            ODataType = schema.ODataType,
            DisplayName = displayName ?? string.Empty,
            Description = update.Description,
            Settings = update.Settings.Where(s => s.Value is not null).ToDictionary(s => s.Key, s => s.Value!, StringComparer.Ordinal),
            ScheduledActions = update.ScheduledActions ?? [],
        });
    }

    /// <summary>Applies a Graph PATCH body as a new version (the type cannot change).</summary>
    public async Task<PolicyDefinition> UpdatePolicyAsync(string tenantId, string policyId, PolicyKind kind, JsonObject graphBody)
    {
        var existing = await FindPolicyAsync(tenantId, policyId, kind);
        var (_, update, _) = PolicyGraphMapping.Read(graphBody, kind, PolicySchemas.Find(existing.ODataType));
        return await (await PolicyAsync(tenantId, policyId)).UpdateAsync(update);
    }

    public async Task DeletePolicyAsync(string tenantId, string policyId, PolicyKind kind) =>
        await (await ExistingPolicyAsync(tenantId, policyId, kind)).DeleteAsync();

    /// <summary>Replaces the policy's assignments; group targets must name a group of this tenant.</summary>
    public async Task<IReadOnlyList<PolicyAssignment>> AssignPolicyAsync(string tenantId, string policyId, PolicyKind kind, IReadOnlyList<AssignmentTarget> targets)
    {
        var policy = await ExistingPolicyAsync(tenantId, policyId, kind);
        foreach (var target in targets)
        {
            if (target.Kind is AssignmentTargetKind.Group or AssignmentTargetKind.ExclusionGroup && !Guid.TryParse(target.GroupId, out _))
            {
                throw new PolicyValidationException($"A {(target.Kind == AssignmentTargetKind.Group ? "group" : "exclusion group")} assignment target needs a groupId (a group id from /v1.0/groups).");
            }
        }

        return await policy.AssignAsync(targets);
    }

    /// <summary>Replaces a compliance policy's scheduled actions (a new version; exactly one block action).</summary>
    public async Task<PolicyDefinition> ScheduleActionsForRulesAsync(string tenantId, string policyId, IReadOnlyList<ScheduledActionRule> rules) =>
        await (await ExistingPolicyAsync(tenantId, policyId, PolicyKind.Compliance)).UpdateAsync(new PolicyUpdate { ScheduledActions = rules });

    public async Task<IReadOnlyList<GroupInfo>> ListGroupsAsync(string tenantId)
    {
        var grains = await GrainsAsync(tenantId);
        var ids = await grains.GetGrain<ITenantComplianceGrain>(tenantId).ListGroupsAsync();
        var groups = await Task.WhenAll(ids.Select(id => grains.GetGrain<IGroupGrain>(GrainKeys.Scoped(tenantId, id)).GetAsync()));
        return groups.OfType<GroupInfo>().ToList();
    }

    public async Task<IGroupGrain> GroupAsync(string tenantId, string groupId) =>
        (await GrainsAsync(tenantId)).GetGrain<IGroupGrain>(GrainKeys.Scoped(tenantId, groupId));

    /// <summary>The group, or <see cref="ObjectNotFoundException"/> (another tenant's group is not found either).</summary>
    public async Task<GroupInfo> FindGroupAsync(string tenantId, string groupId) =>
        (Guid.TryParse(groupId, out _) ? await (await GroupAsync(tenantId, groupId)).GetAsync() : null)
            ?? throw new ObjectNotFoundException($"No group with id '{groupId}' exists in this tenant.");

    /// <summary>The grain of a group that exists in this tenant.</summary>
    public async Task<IGroupGrain> ExistingGroupAsync(string tenantId, string groupId)
    {
        await FindGroupAsync(tenantId, groupId);
        return await GroupAsync(tenantId, groupId);
    }

    public async Task<GroupInfo> CreateGroupAsync(string tenantId, string? displayName, string? description) =>
        string.IsNullOrWhiteSpace(displayName)
            ? throw new PolicyValidationException("displayName is required.")
            : await (await GroupAsync(tenantId, Guid.NewGuid().ToString())).CreateAsync(displayName, description);

    public async Task DeleteGroupAsync(string tenantId, string groupId) =>
        await (await ExistingGroupAsync(tenantId, groupId)).DeleteAsync();

    /// <summary>A member reference: a device by its managed device id, a user by userPrincipalName.</summary>
    public static GroupMember Member(GroupMemberKind kind, string? id) => kind switch
    {
        GroupMemberKind.User when id?.Contains('@') == true => new GroupMember(kind, id),
        GroupMemberKind.User => throw new PolicyValidationException($"A user member is named by userPrincipalName (adele@contoso.com); got '{id}'."),
        _ when Guid.TryParse(id, out _) => new GroupMember(kind, id!),
        _ => throw new PolicyValidationException($"A device member is named by its managedDevice id (a GUID); got '{id}'."),
    };

    /// <summary>Adds members (idempotent); the policies targeting the group recompute their targets.</summary>
    public async Task AddGroupMembersAsync(string tenantId, string groupId, IReadOnlyList<GroupMember> members) =>
        await (await ExistingGroupAsync(tenantId, groupId)).AddMembersAsync(members);

    public async Task RemoveGroupMemberAsync(string tenantId, string groupId, string memberId)
    {
        if (!await (await ExistingGroupAsync(tenantId, groupId)).RemoveMemberAsync(memberId))
        {
            throw new ObjectNotFoundException($"'{memberId}' is not a member of group '{groupId}'.");
        }
    }

    public async Task<GroupMembers> GroupMembersAsync(string tenantId, string groupId) =>
        await (await ExistingGroupAsync(tenantId, groupId)).GetMembersAsync();

    public async Task<ITenantComplianceGrain> TenantAsync(string tenantId) =>
        (await GrainsAsync(tenantId)).GetGrain<ITenantComplianceGrain>(tenantId);

    /// <summary>
    /// Confirms (the device is then retired or wiped, see <see cref="DecideRetireRequestAsync"/>) or
    /// dismisses a pending entry of the compliance retire list; REST and gRPC both call this.
    /// </summary>
    public async Task DecideRetireAsync(string tenantId, string deviceId, bool confirm)
    {
        if (!await DecideRetireRequestAsync(tenantId, deviceId, confirm))
        {
            throw new ObjectNotFoundException($"No pending retire request for device '{deviceId}'.");
        }
    }

    public async Task<DeviceStateSummary> SummaryAsync(string tenantId, PolicyKind kind) =>
        await (await GrainsAsync(tenantId)).GetGrain<IDeviceStateSummaryGrain>(tenantId).GetAsync(kind);

    /// <summary>The compliance side of a device of this tenant, or <see cref="ObjectNotFoundException"/>.</summary>
    public async Task<IDeviceComplianceGrain> DeviceAsync(string tenantId, string deviceId)
    {
        var device = Guid.TryParse(deviceId, out _)
            ? (await GrainsAsync(tenantId)).GetGrain<IDeviceComplianceGrain>(GrainKeys.Scoped(tenantId, deviceId))
            : null;
        return device is not null && await device.GetAccessVerdictAsync() is not null
            ? device
            : throw DeviceNotFound(deviceId);
    }

    /// <summary>The device's state for each of its policies of one kind, with per-setting results.</summary>
    public async Task<IReadOnlyList<DevicePolicyStatus>> DevicePolicyStatusesAsync(string tenantId, string deviceId, PolicyKind kind) =>
        await (await DeviceAsync(tenantId, deviceId)).GetPolicyStatusesAsync(kind);

    /// <summary>Conditional access: is the device managed and compliant. Another tenant's device is not found.</summary>
    public async Task<AccessVerdict> VerdictAsync(string tenantId, string deviceId) =>
        (Guid.TryParse(deviceId, out _)
            ? await (await GrainsAsync(tenantId)).GetGrain<IDeviceComplianceGrain>(GrainKeys.Scoped(tenantId, deviceId)).GetAccessVerdictAsync()
            : null) ?? throw DeviceNotFound(deviceId);

    /// <summary>Network access control: the verdict for the device with this serial number or (else) MAC address.</summary>
    public async Task<AccessVerdict> VerdictByHardwareAsync(string tenantId, string? serialNumber, string? macAddress)
    {
        var (kind, value) = !string.IsNullOrWhiteSpace(serialNumber)
            ? (HardwareKind.SerialNumber, serialNumber)
            : !string.IsNullOrWhiteSpace(macAddress) && HardwareIndex.Normalize(HardwareKind.MacAddress, macAddress).Length == 12
                ? (HardwareKind.MacAddress, macAddress)
                : throw new PolicyValidationException("Give serialNumber or macAddress (12 hex digits, any separators).");
        var grains = await GrainsAsync(tenantId);
        var deviceId = await grains.GetGrain<IHardwareIndexGrain>(HardwareIndex.Key(tenantId, kind, value)).GetDeviceIdAsync();
        return (deviceId is null ? null : await grains.GetGrain<IDeviceComplianceGrain>(GrainKeys.Scoped(tenantId, deviceId)).GetAccessVerdictAsync())
            ?? throw new ObjectNotFoundException($"No managed device of this tenant reported {(kind == HardwareKind.SerialNumber ? "serial number" : "MAC address")} '{value}'.");
    }

    private static ObjectNotFoundException DeviceNotFound(string deviceId) => new($"No managedDevice with id '{deviceId}' exists in this tenant.");

    /// <summary>
    /// Deletes (or restores) a directory user as far as compliance is concerned: the built-in
    /// default policy's "enrolled user exists" then fails (or passes) for their devices. False when
    /// the user already was in that state.
    /// </summary>
    public async Task<bool> SetUserDeletedAsync(string tenantId, string userPrincipalName, bool deleted)
    {
        if (string.IsNullOrWhiteSpace(userPrincipalName) || !userPrincipalName.Contains('@'))
        {
            throw new PolicyValidationException("Users are named by userPrincipalName (…/users/adele@contoso.com).");
        }

        return await (await GrainsAsync(tenantId)).GetGrain<IUserGrain>(UserDevices.Key(tenantId, userPrincipalName)).SetDeletedAsync(deleted);
    }

    /// <summary>
    /// An admin's decision on the compliance retire list. Confirming issues the device action the
    /// noncompliance action asked for — retire, or wipe — through the same Device grain path as an
    /// admin's own retire/wipe (queued, nudged, delivered at check-in, certificate revoked when the
    /// device acknowledges). Orchestrated here, not in the Tenant grain, because a device that is
    /// reporting a new request to the tenant at the same moment would otherwise wait on it.
    /// False when no pending request exists for the device.
    /// </summary>
    private async Task<bool> DecideRetireRequestAsync(string tenantId, string deviceId, bool confirm)
    {
        var tenant = await TenantAsync(tenantId);
        var pending = (await tenant.ListRetireRequestsAsync()).FirstOrDefault(r => r.DeviceId == deviceId && r.State == RetireRequestState.Pending);
        if (pending is null || !await tenant.DecideRetireAsync(deviceId, confirm))
        {
            return false;
        }

        if (confirm && Guid.TryParse(deviceId, out _))
        {
            var kind = pending.Action == ComplianceActionType.Wipe ? DeviceActionKind.Wipe : DeviceActionKind.Retire;
            await (await GrainsAsync(tenantId)).GetGrain<IDeviceGrain>(GrainKeys.Scoped(tenantId, deviceId)).RequestActionAsync(new DeviceActionRequest(kind));
        }

        return true;
    }
}
