using Intune.Grains.Errors;
using Orleans.Concurrency;

namespace Intune.Grains.Policies;

/// <summary>
/// One compliance policy or configuration profile, keyed <c>tenantId/policyId</c>: its versioned
/// definition (every version immutable), its assignments and its incrementally kept report.
/// </summary>
[Alias("intune.IPolicyGrain")]
public interface IPolicyGrain : IGrainWithStringKey
{
    /// <summary>Creates version 1; throws <see cref="InvalidRequestException"/> when the draft is invalid.</summary>
    [Alias("CreateAsync")]
    Task<PolicyDefinition> CreateAsync(PolicyDefinition draft);

    /// <summary>Applies the update as a new version and delivers it to the assigned devices.</summary>
    [Alias("UpdateAsync")]
    Task<PolicyDefinition> UpdateAsync(PolicyUpdate update);

    /// <summary>The current version, or null when the policy does not exist.</summary>
    [Alias("GetAsync")]
    Task<PolicyDefinition?> GetAsync();

    /// <summary>Removes the policy from every device it was delivered to, then forgets it.</summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync();

    /// <summary>Replaces all assignments and fans the change out to the affected devices.</summary>
    [Alias("AssignAsync")]
    Task<IReadOnlyList<PolicyAssignment>> AssignAsync(IReadOnlyList<AssignmentTarget> targets);

    [Alias("GetAssignmentsAsync")]
    Task<IReadOnlyList<PolicyAssignment>> GetAssignmentsAsync();

    /// <summary>Recomputes who is targeted (a targeted group's members changed) and delivers the difference.</summary>
    [Alias("RecomputeTargetsAsync")]
    Task RecomputeTargetsAsync();

    /// <summary>
    /// Whether a new device is targeted; called once when a device first checks in. Interleaves,
    /// so a device bootstrapping while this policy fans out to it cannot deadlock.
    /// </summary>
    [AlwaysInterleave, Alias("ResolveDeviceAsync")]
    Task<PolicyDefinition?> ResolveDeviceAsync(string deviceId, string? userPrincipalName);

    /// <summary>
    /// A device's status transition. Interleaves: devices report while the policy is fanning out
    /// to them, and the update is a synchronous counter change.
    /// </summary>
    [AlwaysInterleave, Alias("ReportStatusAsync")]
    Task ReportStatusAsync(PolicyStatusReport report);

    [AlwaysInterleave, Alias("GetDeviceStatusesAsync")]
    Task<IReadOnlyList<PolicyDeviceStatusRow>> GetDeviceStatusesAsync();

    [AlwaysInterleave, Alias("GetDeviceOverviewAsync")]
    Task<PolicyOverview> GetDeviceOverviewAsync();

    [AlwaysInterleave, Alias("GetUserStatusesAsync")]
    Task<IReadOnlyList<PolicyUserStatusRow>> GetUserStatusesAsync();

    [AlwaysInterleave, Alias("GetUserOverviewAsync")]
    Task<PolicyOverview> GetUserOverviewAsync();

    /// <summary>Devices the policy's changes were queued for and how many have them, since the grain's activation.</summary>
    [AlwaysInterleave, Alias("GetDeliveryProgressAsync")]
    Task<PolicyDeliveryProgress> GetDeliveryProgressAsync();

    /// <summary>How many devices the current assignments reach (after exclusions).</summary>
    [AlwaysInterleave, Alias("GetTargetedDeviceCountAsync")]
    Task<int> GetTargetedDeviceCountAsync();
}

/// <summary>
/// Delivers one policy change to a slice of its devices. A stateless worker, so the slices of a
/// large assignment run in parallel on every silo instead of in one grain's loop.
/// </summary>
[Alias("intune.IPolicyFanOutGrain")]
public interface IPolicyFanOutGrain : IGrainWithIntegerKey
{
    [Alias("DeliverAsync")]
    Task DeliverAsync(string tenantId, PolicyDelivery delivery, IReadOnlyList<string> deviceIds);
}
