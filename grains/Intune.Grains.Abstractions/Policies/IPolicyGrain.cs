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

    /// <summary>Applies the update as a new version; assigned devices pick it up at their next check-in.</summary>
    [Alias("UpdateAsync")]
    Task<PolicyDefinition> UpdateAsync(PolicyUpdate update);

    /// <summary>The current version, or null when the policy does not exist.</summary>
    [Alias("GetAsync")]
    Task<PolicyDefinition?> GetAsync();

    /// <summary>Forgets the policy; devices drop it at their next check-in.</summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync();

    /// <summary>Replaces all assignments: O(1) storage requests whatever the groups' sizes; devices pick the change up at check-in.</summary>
    [Alias("AssignAsync")]
    Task<IReadOnlyList<PolicyAssignment>> AssignAsync(IReadOnlyList<AssignmentTarget> targets);

    [Alias("GetAssignmentsAsync")]
    Task<IReadOnlyList<PolicyAssignment>> GetAssignmentsAsync();

    /// <summary>
    /// A device's status transition, reported at the device's check-in. Interleaves: the update
    /// is a synchronous counter change.
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

    /// <summary>
    /// How many devices the current assignments reach through device groups (after exclusions),
    /// counted on this silo's delivery cache; user and all-devices targets are counted by the
    /// devices that have reported.
    /// </summary>
    [AlwaysInterleave, Alias("GetTargetedDeviceCountAsync")]
    Task<int> GetTargetedDeviceCountAsync();
}
