using Intune.Grains.Policies;
using Intune.Grains.Tenants;

namespace Intune.Grains.Groups;

/// <summary>The durable record of a group. Stored format: add members with new ids only.</summary>
[GenerateSerializer, Alias("intune.GroupState")]
public sealed class GroupState
{
    [Id(0)] public string? DisplayName { get; set; }
    [Id(1)] public string? Description { get; set; }
    [Id(2)] public DateTimeOffset CreatedDateTime { get; set; }
    [Id(3)] public HashSet<string> Devices { get; set; } = new(StringComparer.Ordinal);
    /// <summary>User principal names, lower-cased (UPNs compare case-insensitively).</summary>
    [Id(4)] public HashSet<string> Users { get; set; } = new(StringComparer.Ordinal);
    [Id(5)] public HashSet<string> TargetingPolicies { get; set; } = new(StringComparer.Ordinal);

    public bool Exists => DisplayName is not null;
}

/// <summary>
/// A static group (ARCHITECTURE.md §2, Group grain). Membership changes reach only the policies
/// that target this group; those recompute and fan out the difference.
/// </summary>
internal sealed class GroupGrain(
    [PersistentState("group", StorageNames.Grains)] IPersistentState<GroupState> group,
    TimeProvider time) : Grain, IGroupGrain
{
    private GroupState State => group.State;

    private string TenantId => GrainKeys.Split(this.GetPrimaryKeyString()).TenantId;

    private string GroupId => GrainKeys.Split(this.GetPrimaryKeyString()).Id;

    public async Task<GroupInfo> CreateAsync(string displayName, string? description)
    {
        if (string.IsNullOrWhiteSpace(displayName))
        {
            throw new PolicyValidationException("displayName is required.");
        }

        if (State.Exists)
        {
            throw new PolicyValidationException($"A group with id '{GroupId}' already exists.");
        }

        State.DisplayName = displayName;
        State.Description = description;
        State.CreatedDateTime = time.GetUtcNow();
        await group.WriteStateAsync();
        await GrainFactory.GetGrain<ITenantComplianceGrain>(TenantId).AddGroupAsync(GroupId, displayName);
        return Info;
    }

    public Task<GroupInfo?> GetAsync() => Task.FromResult(State.Exists ? Info : null);

    public async Task DeleteAsync()
    {
        EnsureExists();
        var policies = State.TargetingPolicies.ToList();
        await group.ClearStateAsync();
        await GrainFactory.GetGrain<ITenantComplianceGrain>(TenantId).RemoveGroupAsync(GroupId);
        // A deleted group has no members, so the policies that targeted it retract from its devices.
        await RecomputePoliciesAsync(policies);
        DeactivateOnIdle();
    }

    public async Task AddMembersAsync(IReadOnlyList<GroupMember> members)
    {
        EnsureExists();
        var changed = false;
        foreach (var member in members)
        {
            if (string.IsNullOrWhiteSpace(member.Id))
            {
                throw new PolicyValidationException("A member needs an id.");
            }

            changed |= member.Kind == GroupMemberKind.Device
                ? State.Devices.Add(member.Id)
                : State.Users.Add(member.Id.ToLowerInvariant());
        }

        if (changed)
        {
            await group.WriteStateAsync();
            await RecomputePoliciesAsync(State.TargetingPolicies.ToList());
        }
    }

    public async Task<bool> RemoveMemberAsync(string memberId)
    {
        EnsureExists();
        if (!State.Devices.Remove(memberId) && !State.Users.Remove(memberId.ToLowerInvariant()))
        {
            return false;
        }

        await group.WriteStateAsync();
        await RecomputePoliciesAsync(State.TargetingPolicies.ToList());
        return true;
    }

    public Task<GroupMembers> GetMembersAsync() =>
        Task.FromResult(new GroupMembers(State.Devices.ToList(), State.Users.ToList()));

    public Task<(bool Device, bool User)> ContainsAsync(string deviceId, string? userPrincipalName) =>
        Task.FromResult((State.Devices.Contains(deviceId), userPrincipalName is not null && State.Users.Contains(userPrincipalName.ToLowerInvariant())));

    public async Task SetPolicyTargetingAsync(string policyId, bool targets)
    {
        if (!State.Exists)
        {
            return;
        }

        if (targets ? State.TargetingPolicies.Add(policyId) : State.TargetingPolicies.Remove(policyId))
        {
            await group.WriteStateAsync();
        }
    }

    private GroupInfo Info => new(GroupId, State.DisplayName!, State.Description, State.CreatedDateTime, State.Devices.Count, State.Users.Count);

    private Task RecomputePoliciesAsync(IEnumerable<string> policyIds) =>
        Task.WhenAll(policyIds.Select(p => GrainFactory.GetGrain<IPolicyGrain>(GrainKeys.Scoped(TenantId, p)).RecomputeTargetsAsync()));

    private void EnsureExists()
    {
        if (!State.Exists)
        {
            throw new ObjectNotFoundException($"No group with id '{GroupId}' exists in this tenant.");
        }
    }
}
