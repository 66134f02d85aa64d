using Orleans.Concurrency;

namespace Intune.Grains.Groups;

[GenerateSerializer, Alias("intune.GroupMemberKind")]
public enum GroupMemberKind
{
    Device = 0,
    User = 1,
}

/// <summary>A static member: a device (by managed device id) or a user (by user principal name).</summary>
[GenerateSerializer, Immutable, Alias("intune.GroupMember")]
public sealed record GroupMember(
    [property: Id(0)] GroupMemberKind Kind,
    [property: Id(1)] string Id);

[GenerateSerializer, Immutable, Alias("intune.GroupInfo")]
public sealed record GroupInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string? Description,
    [property: Id(3)] DateTimeOffset CreatedDateTime,
    [property: Id(4)] int DeviceMemberCount,
    [property: Id(5)] int UserMemberCount);

/// <summary>The members of a group, split by kind (device ids; user principal names, lower-cased).</summary>
[GenerateSerializer, Immutable, Alias("intune.GroupMembers")]
public sealed record GroupMembers(
    [property: Id(0)] IReadOnlyList<string> Devices,
    [property: Id(1)] IReadOnlyList<string> Users);

/// <summary>
/// A group with static membership, keyed <c>tenantId/groupId</c>. It knows which policies
/// target it, so a membership change reaches exactly those policies.
/// </summary>
[Alias("intune.IGroupGrain")]
public interface IGroupGrain : IGrainWithStringKey
{
    /// <summary>For calls whose storage work grows with the number of members.</summary>
    public const string LargeSetTimeout = "00:02:00";

    [Alias("CreateAsync")]
    Task<GroupInfo> CreateAsync(string displayName, string? description);

    /// <summary>The group, or null when it does not exist.</summary>
    [Alias("GetAsync")]
    Task<GroupInfo?> GetAsync();

    /// <summary>Deletes the group and its member rows (one table batch per 100 members).</summary>
    [Alias("DeleteAsync"), ResponseTimeout(LargeSetTimeout)]
    Task DeleteAsync();

    /// <summary>Adds members (idempotent); policies targeting the group recompute their targets.</summary>
    /// <remarks>A call may carry thousands of members, one table batch per 100, which on a busy account takes longer than Orleans' default 30 s.</remarks>
    [Alias("AddMembersAsync"), ResponseTimeout(LargeSetTimeout)]
    Task AddMembersAsync(IReadOnlyList<GroupMember> members);

    /// <summary>Removes a member by device id or user principal name; false when it was not a member.</summary>
    [Alias("RemoveMemberAsync")]
    Task<bool> RemoveMemberAsync(string memberId);

    /// <summary>Read-only and synchronous, so it interleaves: a policy recomputing for this group's change can read it.</summary>
    [AlwaysInterleave, Alias("GetMembersAsync")]
    Task<GroupMembers> GetMembersAsync();

    /// <summary>Whether the device, or the user, is a member.</summary>
    [AlwaysInterleave, Alias("ContainsAsync")]
    Task<(bool Device, bool User)> ContainsAsync(string deviceId, string? userPrincipalName);

    /// <summary>Records (or forgets) that a policy targets this group.</summary>
    [AlwaysInterleave, Alias("SetPolicyTargetingAsync")]
    Task SetPolicyTargetingAsync(string policyId, bool targets);
}
