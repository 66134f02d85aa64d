using Intune.Grains.Policies;

namespace Intune.Grains.Delivery;

/// <summary>A targeted group's members as a silo caches them, at the membership version it was read.</summary>
public sealed record GroupMembership(long Version, CompactMemberSet Devices, CompactMemberSet Users);

/// <summary>Whom an assignment reaches: pure, so the rules are tested without a cluster.</summary>
internal static class DeliveryTargeting
{
    /// <summary>
    /// Whether <paramref name="assignments"/> reach the device: (device-kind inclusions − device-kind
    /// exclusions) ∪ (user-kind inclusions − user-kind exclusions). Exclusion beats inclusion only
    /// within the same kind. The device's users are its enrolled user and any associated ones (a
    /// shared device): a user group reaches it through any of them, and excluding one of them
    /// excludes the device's user side. A group the cache does not know has no members.
    /// </summary>
    public static bool Reaches(
        IReadOnlyList<AssignmentTarget> assignments,
        IReadOnlyDictionary<string, GroupMembership> groups,
        string deviceId,
        IReadOnlyCollection<string> userPrincipalNames)
    {
        var upns = userPrincipalNames.Select(u => u.ToLowerInvariant()).ToList();
        var hasUser = upns.Count > 0;
        bool deviceIncluded = false, deviceExcluded = false, userIncluded = false, userExcluded = false;
        foreach (var target in assignments)
        {
            switch (target.Kind)
            {
                case AssignmentTargetKind.AllDevices:
                    deviceIncluded = true;
                    break;
                case AssignmentTargetKind.AllLicensedUsers:
                    userIncluded |= hasUser;
                    break;
                default:
                    if (target.GroupId is null || !groups.TryGetValue(target.GroupId, out var group))
                    {
                        break;
                    }

                    var device = group.Devices.Contains(deviceId);
                    var user = upns.Exists(group.Users.Contains);
                    if (target.Kind == AssignmentTargetKind.Group)
                    {
                        deviceIncluded |= device;
                        userIncluded |= user;
                    }
                    else
                    {
                        deviceExcluded |= device;
                        userExcluded |= user;
                    }

                    break;
            }
        }

        return (deviceIncluded && !deviceExcluded) || (userIncluded && !userExcluded);
    }

    /// <summary>Devices reached through device-kind group targets: included groups' devices minus excluded groups' devices.</summary>
    public static int CountDeviceGroupTargets(IReadOnlyList<AssignmentTarget> assignments, IReadOnlyDictionary<string, GroupMembership> groups)
    {
        var included = new HashSet<UInt128>();
        var excluded = new HashSet<UInt128>();
        foreach (var target in assignments.Where(t => t.GroupId is not null && groups.ContainsKey(t.GroupId)))
        {
            var set = target.Kind == AssignmentTargetKind.Group ? included : excluded;
            foreach (var hash in groups[target.GroupId!].Devices.Hashes)
            {
                set.Add(hash);
            }
        }

        included.ExceptWith(excluded);
        return included.Count;
    }
}
