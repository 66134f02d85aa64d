using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Limits;
using Intune.Grains;
using Intune.Grains.Errors;
using Intune.Grains.Groups;
using Intune.Grains.Tenants;
using Intune.Routing;

namespace Intune.AdminGateway.Resources.Groups;

/// <summary>
/// Static groups of devices and users for admins: the one place the REST and gRPC fronts call.
/// A group of another tenant is not found; each change records the group in the call's audit.
/// </summary>
public sealed class GroupService(IScaleUnitRouter router)
{
    public async Task<IReadOnlyList<GroupInfo>> ListAsync(string tenantId)
    {
        var grains = await router.ForTenantAsync(tenantId);
        var ids = await grains.GetGrain<ITenantComplianceGrain>(tenantId).ListGroupsAsync();
        var groups = await Task.WhenAll(ids.Select(id => grains.GetGrain<IGroupGrain>(GrainKeys.Scoped(tenantId, id)).GetAsync()));
        return groups.OfType<GroupInfo>().ToList();
    }

    /// <exception cref="NotFoundException">No group with this id exists in this tenant.</exception>
    public async Task<GroupInfo> GetAsync(string tenantId, string groupId) =>
        (Guid.TryParse(groupId, out _) ? await (await GrainAsync(tenantId, groupId)).GetAsync() : null)
            ?? throw new NotFoundException($"No group with id '{groupId}' exists in this tenant.");

    public async Task<GroupInfo> CreateAsync(string tenantId, string? displayName, string? description, AuditRecorder audit)
    {
        if (string.IsNullOrWhiteSpace(displayName))
        {
            throw new InvalidRequestException("displayName is required.", "displayName");
        }

        InputLimits.Text(displayName, "displayName", InputLimits.MaxDisplayName);
        InputLimits.Text(description, "description", InputLimits.MaxDescription);
        var group = await (await GrainAsync(tenantId, Guid.NewGuid().ToString())).CreateAsync(displayName, description);
        audit.AddResource("Group", group.Id, group.DisplayName);
        return group;
    }

    public async Task DeleteAsync(string tenantId, string groupId, AuditRecorder audit)
    {
        var group = await ExistingAsync(tenantId, groupId, audit);
        await group.DeleteAsync();
    }

    /// <summary>A member reference: a device by its managed device id, a user by userPrincipalName.</summary>
    public static GroupMember Member(GroupMemberKind kind, string? id) => kind switch
    {
        GroupMemberKind.User when id?.Contains('@') == true => new GroupMember(kind, InputLimits.UserPrincipalName(id, "members")),
        GroupMemberKind.User => throw new InvalidRequestException($"A user member is named by userPrincipalName (adele@contoso.com); got '{id}'.", "members"),
        _ when Guid.TryParse(id, out _) => new GroupMember(kind, id!),
        _ => throw new InvalidRequestException($"A device member is named by its managedDevice id (a GUID); got '{id}'.", "members"),
    };

    /// <summary>Adds members (idempotent); the policies targeting the group recompute their targets.</summary>
    public async Task AddMembersAsync(string tenantId, string groupId, IReadOnlyList<GroupMember> members, AuditRecorder audit) =>
        await (await ExistingAsync(tenantId, groupId, audit)).AddMembersAsync(members);

    public async Task RemoveMemberAsync(string tenantId, string groupId, string memberId, AuditRecorder audit)
    {
        if (!await (await ExistingAsync(tenantId, groupId, audit)).RemoveMemberAsync(memberId))
        {
            throw new NotFoundException($"'{memberId}' is not a member of group '{groupId}'.");
        }
    }

    public async Task<GroupMembers> MembersAsync(string tenantId, string groupId)
    {
        await GetAsync(tenantId, groupId);
        return await (await GrainAsync(tenantId, groupId)).GetMembersAsync();
    }

    /// <summary>The grain of a group that exists in this tenant, recorded as the change's resource.</summary>
    private async Task<IGroupGrain> ExistingAsync(string tenantId, string groupId, AuditRecorder audit)
    {
        var group = await GetAsync(tenantId, groupId);
        audit.AddResource("Group", group.Id, group.DisplayName);
        return await GrainAsync(tenantId, groupId);
    }

    private async Task<IGroupGrain> GrainAsync(string tenantId, string groupId) =>
        (await router.ForTenantAsync(tenantId)).GetGrain<IGroupGrain>(GrainKeys.Scoped(tenantId, groupId));
}
