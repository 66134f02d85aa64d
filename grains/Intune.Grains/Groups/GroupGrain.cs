using Intune.Grains.Durability;
using Intune.Grains.Errors;
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
    /// <summary>Legacy: members now live in <see cref="IMemberSetStore"/> rows; read once on activation, then cleared.</summary>
    [Id(3)] public HashSet<string> Devices { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Legacy, as <see cref="Devices"/>: user principal names, lower-cased.</summary>
    [Id(4)] public HashSet<string> Users { get; set; } = new(StringComparer.Ordinal);
    [Id(5)] public HashSet<string> TargetingPolicies { get; set; } = new(StringComparer.Ordinal);

    public bool Exists => DisplayName is not null;
}

/// <summary>
/// A static group. A membership change of a group some policy targets moves the tenant's
/// assignment version (one write); devices work out at check-in what they gained or lost. The members are rows of
/// the <see cref="IMemberSetStore"/> (one per member, so a group is not capped by the 1 MB of one
/// grain-state entity), held in memory while active for policy diffs and lookups.
/// </summary>
internal sealed class GroupGrain(
    [PersistentState("group", StorageNames.Grains)] IPersistentState<GroupState> group,
    IMemberSetStore memberSets,
    TimeProvider time) : Grain, IGroupGrain
{
    private readonly HashSet<string> _devices = new(StringComparer.Ordinal);
    /// <summary>User principal names, lower-cased (UPNs compare case-insensitively).</summary>
    private readonly HashSet<string> _users = new(StringComparer.Ordinal);

    private GroupState State => group.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!State.Exists)
        {
            return;
        }

        _devices.UnionWith(await memberSets.LoadAsync(TenantId, MemberSets.GroupDevices(GroupId), cancellationToken));
        _users.UnionWith(await memberSets.LoadAsync(TenantId, MemberSets.GroupUsers(GroupId), cancellationToken));
        if (State.Devices.Count + State.Users.Count > 0)
        {
            // Members from before they had their own rows: written as rows first, so a failure
            // between the two writes leaves them in both places, never in neither.
            await memberSets.SaveAsync(TenantId, MemberSets.GroupDevices(GroupId), State.Devices.Where(d => !_devices.Contains(d)).ToList(), [], cancellationToken);
            await memberSets.SaveAsync(TenantId, MemberSets.GroupUsers(GroupId), State.Users.Where(u => !_users.Contains(u)).ToList(), [], cancellationToken);
            _devices.UnionWith(State.Devices);
            _users.UnionWith(State.Users);
            State.Devices.Clear();
            State.Users.Clear();
            await group.WriteStateAsync(cancellationToken);
        }
    }

    private string TenantId => GrainKeys.Split(this.GetPrimaryKeyString()).TenantId;

    private string GroupId => GrainKeys.Split(this.GetPrimaryKeyString()).Id;

    public async Task<GroupInfo> CreateAsync(string displayName, string? description)
    {
        if (string.IsNullOrWhiteSpace(displayName))
        {
            throw new InvalidRequestException("displayName is required.");
        }

        if (State.Exists)
        {
            throw new InvalidRequestException($"A group with id '{GroupId}' already exists.");
        }

        // Rows left by a deleted group of the same id that a crash kept from going.
        await DeleteMemberRowsAsync();
        _devices.Clear();
        _users.Clear();
        State.DisplayName = displayName;
        State.Description = description;
        State.CreatedDateTime = time.GetUtcNow();
        await group.WriteOrRollBackAsync(GrainContext, () => State.DisplayName = null);
        await GrainFactory.GetGrain<ITenantComplianceGrain>(TenantId).AddGroupAsync(GroupId);
        return Info;
    }

    public Task<GroupInfo?> GetAsync() => Task.FromResult(State.Exists ? Info : null);

    public async Task DeleteAsync()
    {
        EnsureExists();
        var policies = State.TargetingPolicies.ToList();
        await DeleteMemberRowsAsync();
        _devices.Clear();
        _users.Clear();
        await group.ClearOrRollBackAsync(GrainContext);
        await GrainFactory.GetGrain<ITenantComplianceGrain>(TenantId).RemoveGroupAsync(GroupId);
        // A deleted group has no members: devices it reached drop what it gave them at check-in.
        await AnnounceMembershipChangeAsync(policies.Count > 0);
        DeactivateOnIdle();
    }

    public async Task AddMembersAsync(IReadOnlyList<GroupMember> members)
    {
        EnsureExists();
        var devices = new HashSet<string>(StringComparer.Ordinal);
        var users = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            if (string.IsNullOrWhiteSpace(member.Id))
            {
                throw new InvalidRequestException("A member needs an id.");
            }

            if (!MemberSets.IsValidMemberId(member.Id))
            {
                throw new InvalidRequestException($"'{member.Id}' is not a valid member id: it must be at most 512 characters without '/', '\\', '#', '?' or control characters.");
            }

            if (member.Kind == GroupMemberKind.Device)
            {
                devices.Add(member.Id);
            }
            else
            {
                users.Add(member.Id.ToLowerInvariant());
            }
        }

        devices.ExceptWith(_devices);
        users.ExceptWith(_users);
        if (devices.Count + users.Count == 0)
        {
            return;
        }

        // Stored before they count as members: a failed write adds nobody.
        await memberSets.SaveAsync(TenantId, MemberSets.GroupDevices(GroupId), devices, []);
        await memberSets.SaveAsync(TenantId, MemberSets.GroupUsers(GroupId), users, []);
        _devices.UnionWith(devices);
        _users.UnionWith(users);
        await AnnounceMembershipChangeAsync(State.TargetingPolicies.Count > 0);
    }

    public async Task<bool> RemoveMemberAsync(string memberId)
    {
        EnsureExists();
        if (_devices.Contains(memberId))
        {
            await memberSets.SaveAsync(TenantId, MemberSets.GroupDevices(GroupId), [], [memberId]);
            _devices.Remove(memberId);
        }
        else if (_users.Contains(memberId.ToLowerInvariant()))
        {
            await memberSets.SaveAsync(TenantId, MemberSets.GroupUsers(GroupId), [], [memberId.ToLowerInvariant()]);
            _users.Remove(memberId.ToLowerInvariant());
        }
        else
        {
            return false;
        }

        await AnnounceMembershipChangeAsync(State.TargetingPolicies.Count > 0);
        return true;
    }

    public Task<GroupMembers> GetMembersAsync() =>
        Task.FromResult(new GroupMembers(_devices.ToList(), _users.ToList()));

    public Task<(bool Device, bool User)> ContainsAsync(string deviceId, string? userPrincipalName) =>
        Task.FromResult((_devices.Contains(deviceId), userPrincipalName is not null && _users.Contains(userPrincipalName.ToLowerInvariant())));

    public async Task SetPolicyTargetingAsync(string policyId, bool targets)
    {
        if (!State.Exists)
        {
            return;
        }

        if (targets ? State.TargetingPolicies.Add(policyId) : State.TargetingPolicies.Remove(policyId))
        {
            await group.WriteOrRollBackAsync(GrainContext, () => _ = targets ? State.TargetingPolicies.Remove(policyId) : State.TargetingPolicies.Add(policyId));
        }
    }

    private GroupInfo Info => new(GroupId, State.DisplayName!, State.Description, State.CreatedDateTime, _devices.Count, _users.Count);

    private async Task DeleteMemberRowsAsync()
    {
        await memberSets.DeleteAllAsync(TenantId, MemberSets.GroupDevices(GroupId));
        await memberSets.DeleteAllAsync(TenantId, MemberSets.GroupUsers(GroupId));
    }

    /// <summary>
    /// A targeted group's new members are a tenant fact: one tenant write moves the assignment
    /// version, and each device works out at check-in whether it joined or left.
    /// </summary>
    private Task AnnounceMembershipChangeAsync(bool targeted) =>
        targeted ? GrainFactory.GetGrain<ITenantComplianceGrain>(TenantId).TargetedGroupChangedAsync(GroupId) : Task.CompletedTask;

    private void EnsureExists()
    {
        if (!State.Exists)
        {
            throw new NotFoundException($"No group with id '{GroupId}' exists in this tenant.");
        }
    }
}
