using Intune.Grains.Delivery;
using Intune.Grains.Durability;
using Intune.Grains.Errors;
using Intune.Grains.Groups;

namespace Intune.Grains.Policies;

/// <summary>
/// Targeting: the policy's assignments. Assigning costs the policy's write, one tenant write
/// (the new assignment version) and one write per group that starts or stops being targeted,
/// whatever the groups' sizes; devices work out at check-in whether they are reached.
/// </summary>
internal sealed partial class PolicyGrain
{
    public async Task<IReadOnlyList<PolicyAssignment>> AssignAsync(IReadOnlyList<AssignmentTarget> targets)
    {
        var current = Current;
        foreach (var target in targets)
        {
            if (target.Kind is AssignmentTargetKind.Group or AssignmentTargetKind.ExclusionGroup)
            {
                if (string.IsNullOrWhiteSpace(target.GroupId)
                    || await GrainFactory.GetGrain<IGroupGrain>(GrainKeys.Scoped(TenantId, target.GroupId)).GetAsync() is null)
                {
                    throw new NotFoundException($"No group with id '{target.GroupId}' exists in this tenant.");
                }
            }
        }

        await Tenant.EnsureCatalogHasRoomAsync(PolicyId, targets.Distinct().Count());
        var previous = policy.State.Assignments;
        var previousGroups = GroupIds(previous);
        policy.State.Assignments = targets
            .Distinct()
            .Select(t => new PolicyAssignment(AssignmentId(t), t))
            .ToList();
        var groups = GroupIds(policy.State.Assignments);
        await policy.WriteOrRollBackAsync(GrainContext, () => policy.State.Assignments = previous);
        // Marks first: a group that targets a policy announces its member changes.
        await SetGroupTargetingAsync(groups.Except(previousGroups), targets: true);
        await Tenant.UpsertPolicyAsync(CatalogEntry(current));
        await SetGroupTargetingAsync(previousGroups.Except(groups), targets: false);
        return policy.State.Assignments;
    }

    public Task<IReadOnlyList<PolicyAssignment>> GetAssignmentsAsync()
    {
        _ = Current;
        return Task.FromResult<IReadOnlyList<PolicyAssignment>>(policy.State.Assignments);
    }

    public async Task<int> GetTargetedDeviceCountAsync()
    {
        if (policy.State.Current is null || policy.State.Assignments.Count == 0)
        {
            return 0;
        }

        var tenant = await deliveries.GetAsync(TenantId);
        return DeliveryTargeting.CountDeviceGroupTargets(policy.State.Assignments.Select(a => a.Target).ToList(), tenant.Groups);
    }

    private Task SetGroupTargetingAsync(IEnumerable<string> groupIds, bool targets) =>
        Task.WhenAll(groupIds.Select(g => GrainFactory.GetGrain<IGroupGrain>(GrainKeys.Scoped(TenantId, g)).SetPolicyTargetingAsync(PolicyId, targets)));

    private static HashSet<string> GroupIds(IEnumerable<PolicyAssignment> assignments) =>
        assignments.Where(a => a.Target.GroupId is not null).Select(a => a.Target.GroupId!).ToHashSet(StringComparer.Ordinal);

    private string AssignmentId(AssignmentTarget target) =>
        $"{PolicyId}_{target.Kind}_{target.GroupId ?? "all"}";
}
