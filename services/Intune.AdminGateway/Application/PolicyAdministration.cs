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
/// access verdicts for admins: the one place the REST (and gRPC) fronts call.
/// </summary>
public sealed class PolicyAdministration(IScaleUnitRouter router)
{
    private async Task<IGrainFactory> GrainsAsync(string tenantId) => await router.ForTenantAsync(tenantId);

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

    public async Task<IReadOnlyList<PolicyDefinition>> ListPoliciesAsync(string tenantId, PolicyKind kind)
    {
        var grains = await GrainsAsync(tenantId);
        var entries = await grains.GetGrain<ITenantComplianceGrain>(tenantId).ListPoliciesAsync(kind);
        var definitions = await Task.WhenAll(entries.Select(e => grains.GetGrain<IPolicyGrain>(GrainKeys.Scoped(tenantId, e.PolicyId)).GetAsync()));
        return definitions.OfType<PolicyDefinition>().ToList();
    }

    public async Task<PolicyDefinition> CreatePolicyAsync(string tenantId, PolicyDefinition draft)
    {
        var id = Guid.NewGuid().ToString();
        return await (await PolicyAsync(tenantId, id)).CreateAsync(draft with { Id = id });
    }

    public async Task<IReadOnlyList<GroupInfo>> ListGroupsAsync(string tenantId)
    {
        var grains = await GrainsAsync(tenantId);
        var ids = await grains.GetGrain<ITenantComplianceGrain>(tenantId).ListGroupsAsync();
        var groups = await Task.WhenAll(ids.Select(id => grains.GetGrain<IGroupGrain>(GrainKeys.Scoped(tenantId, id)).GetAsync()));
        return groups.OfType<GroupInfo>().ToList();
    }

    public async Task<IGroupGrain> GroupAsync(string tenantId, string groupId) =>
        (await GrainsAsync(tenantId)).GetGrain<IGroupGrain>(GrainKeys.Scoped(tenantId, groupId));

    public async Task<GroupInfo> CreateGroupAsync(string tenantId, string displayName, string? description) =>
        await (await GroupAsync(tenantId, Guid.NewGuid().ToString())).CreateAsync(displayName, description);

    public async Task<ITenantComplianceGrain> TenantAsync(string tenantId) =>
        (await GrainsAsync(tenantId)).GetGrain<ITenantComplianceGrain>(tenantId);

    public async Task<DeviceStateSummary> SummaryAsync(string tenantId, PolicyKind kind) =>
        await (await GrainsAsync(tenantId)).GetGrain<IDeviceStateSummaryGrain>(tenantId).GetAsync(kind);

    /// <summary>The device's compliance side, or null when the id cannot be a device of this tenant.</summary>
    public async Task<IDeviceComplianceGrain?> DeviceAsync(string tenantId, string deviceId) =>
        Guid.TryParse(deviceId, out _)
            ? (await GrainsAsync(tenantId)).GetGrain<IDeviceComplianceGrain>(GrainKeys.Scoped(tenantId, deviceId))
            : null;

    /// <summary>Conditional access: is the device managed and compliant. Null when it is not a device of this tenant.</summary>
    public async Task<AccessVerdict?> VerdictAsync(string tenantId, string deviceId) =>
        await DeviceAsync(tenantId, deviceId) is { } device ? await device.GetAccessVerdictAsync() : null;

    /// <summary>Network access control: the verdict for the device with this serial number or MAC address.</summary>
    public async Task<AccessVerdict?> VerdictByHardwareAsync(string tenantId, HardwareKind kind, string value)
    {
        var grains = await GrainsAsync(tenantId);
        var deviceId = await grains.GetGrain<IHardwareIndexGrain>(HardwareIndex.Key(tenantId, kind, value)).GetDeviceIdAsync();
        return deviceId is null ? null : await VerdictAsync(tenantId, deviceId);
    }

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
    public async Task<bool> DecideRetireRequestAsync(string tenantId, string deviceId, bool confirm)
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
