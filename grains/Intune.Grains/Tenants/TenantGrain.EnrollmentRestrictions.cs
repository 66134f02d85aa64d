using Intune.Grains.Devices;
using Intune.Grains.Durability;
using Intune.Grains.Errors;

namespace Intune.Grains.Tenants;

/// <summary>
/// Enrollment restrictions (Graph <c>deviceEnrollmentConfigurations</c>): the device limit per
/// user and platform restrictions. Each kind has a built-in default (priority 0) that applies
/// when no higher-priority configuration of that kind targets everyone.
/// </summary>
internal sealed partial class TenantGrain
{
    public const int MinimumDeviceLimit = 1;
    public const int MaximumDeviceLimit = 15;
    public const int DefaultDeviceLimit = 5;
    public const string DefaultDisplayName = "All users and all devices";

    /// <summary>Targets that reach every user or device without knowing group membership.</summary>
    private static readonly HashSet<string> EveryoneTargets = new(StringComparer.Ordinal)
    {
        "#microsoft.graph.allLicensedUsersAssignmentTarget",
        "#microsoft.graph.allDevicesAssignmentTarget",
    };

    private const string GroupTarget = "#microsoft.graph.groupAssignmentTarget";
    private const string ExclusionGroupTarget = "#microsoft.graph.exclusionGroupAssignmentTarget";

    private static readonly HashSet<string> KnownTargets = new(StringComparer.Ordinal)
    {
        "#microsoft.graph.allLicensedUsersAssignmentTarget",
        "#microsoft.graph.allDevicesAssignmentTarget",
        "#microsoft.graph.groupAssignmentTarget",
        "#microsoft.graph.exclusionGroupAssignmentTarget",
    };

    public Task<IReadOnlyList<EnrollmentConfiguration>> ListEnrollmentConfigurationsAsync()
    {
        EnsureExists();
        return Task.FromResult<IReadOnlyList<EnrollmentConfiguration>>(Configurations
            .OrderBy(c => c.Kind)
            .ThenBy(c => c.Priority)
            .ToList());
    }

    public async Task<EnrollmentConfiguration> CreateEnrollmentConfigurationAsync(EnrollmentConfiguration configuration)
    {
        EnsureExists();
        Validate(configuration);
        if (Configurations.Count(c => !c.IsDefault) >= TenantLimits.MaxEnrollmentConfigurations)
        {
            throw new InvalidRequestException(
                $"A tenant may hold at most {TenantLimits.MaxEnrollmentConfigurations} enrollment restrictions besides the two defaults; delete one first.");
        }

        var now = time.GetUtcNow();
        var created = configuration with
        {
            Id = $"{Guid.NewGuid()}_{(configuration.Kind == EnrollmentConfigurationKind.Limit ? "Limit" : "PlatformRestrictions")}",
            Priority = Configurations.Where(c => c.Kind == configuration.Kind).Max(c => c.Priority) + 1,
            CreatedDateTime = now,
            LastModifiedDateTime = now,
            Version = 1,
            Assignments = [],
        };
        await SaveConfigurationsAsync([.. Configurations, created]);
        return created;
    }

    public async Task<EnrollmentConfiguration?> UpdateEnrollmentConfigurationAsync(string id, EnrollmentConfigurationPatch patch)
    {
        EnsureExists();
        var current = Configurations.FirstOrDefault(c => c.Id == id);
        if (current is null)
        {
            return null;
        }

        if (current.Kind == EnrollmentConfigurationKind.Limit
            && (patch.IosRestriction ?? patch.AndroidRestriction ?? patch.WindowsRestriction ?? patch.MacOSRestriction) is not null)
        {
            throw new InvalidRequestException("A device limit configuration has no platform restrictions.");
        }

        if (current.Kind == EnrollmentConfigurationKind.PlatformRestrictions && patch.Limit is not null)
        {
            throw new InvalidRequestException("A platform restrictions configuration has no device limit.");
        }

        if (current.IsDefault && patch.DisplayName is { } name && name != current.DisplayName)
        {
            throw new InvalidRequestException("The default configuration cannot be renamed.");
        }

        var updated = current with
        {
            DisplayName = patch.DisplayName ?? current.DisplayName,
            Description = patch.Description ?? current.Description,
            Limit = patch.Limit ?? current.Limit,
            IosRestriction = patch.IosRestriction ?? current.IosRestriction,
            AndroidRestriction = patch.AndroidRestriction ?? current.AndroidRestriction,
            WindowsRestriction = patch.WindowsRestriction ?? current.WindowsRestriction,
            MacOSRestriction = patch.MacOSRestriction ?? current.MacOSRestriction,
            LastModifiedDateTime = time.GetUtcNow(),
            Version = current.Version + 1,
        };
        Validate(updated);
        await ReplaceAsync(current, updated);
        return updated;
    }

    public async Task<bool> DeleteEnrollmentConfigurationAsync(string id)
    {
        EnsureExists();
        var current = Configurations.FirstOrDefault(c => c.Id == id);
        if (current is null)
        {
            return false;
        }

        if (current.IsDefault)
        {
            throw new InvalidRequestException("The default configuration cannot be deleted; change its settings instead.");
        }

        // Close the gap so priorities stay 1..n.
        await SaveConfigurationsAsync(Configurations
            .Where(c => c.Id != id)
            .Select(c => c.Kind == current.Kind && c.Priority > current.Priority ? c with { Priority = c.Priority - 1 } : c)
            .ToList());
        return true;
    }

    public async Task<bool> AssignEnrollmentConfigurationAsync(string id, IReadOnlyList<EnrollmentAssignmentTarget> targets)
    {
        EnsureExists();
        var current = Configurations.FirstOrDefault(c => c.Id == id);
        if (current is null)
        {
            return false;
        }

        if (current.IsDefault)
        {
            throw new InvalidRequestException("The default configuration applies to all users and all devices and cannot be assigned.");
        }

        foreach (var target in targets)
        {
            if (!KnownTargets.Contains(target.ODataType))
            {
                throw new InvalidRequestException($"Unknown assignment target '{target.ODataType}'; use one of {string.Join(", ", KnownTargets)}.");
            }

            if (target.ODataType.Contains("GroupAssignmentTarget", StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(target.GroupId))
            {
                throw new InvalidRequestException($"A {target.ODataType} needs a groupId.");
            }
        }

        if (targets.Count > TenantLimits.MaxEnrollmentConfigurationAssignments)
        {
            throw new InvalidRequestException(
                $"An enrollment restriction takes at most {TenantLimits.MaxEnrollmentConfigurationAssignments} assignments; got {targets.Count}.");
        }

        await ReplaceAsync(current, current with { Assignments = targets.ToList(), LastModifiedDateTime = time.GetUtcNow() });
        return true;
    }

    public async Task<bool> SetEnrollmentConfigurationPriorityAsync(string id, int priority)
    {
        EnsureExists();
        var current = Configurations.FirstOrDefault(c => c.Id == id);
        if (current is null)
        {
            return false;
        }

        if (current.IsDefault)
        {
            throw new InvalidRequestException("The default configuration always has priority 0 and is evaluated last.");
        }

        var others = Configurations.Where(c => c.Kind == current.Kind && !c.IsDefault && c.Id != id).OrderBy(c => c.Priority).ToList();
        if (priority < 1 || priority > others.Count + 1)
        {
            throw new InvalidRequestException($"Priority must be between 1 and {others.Count + 1} for this kind of configuration.");
        }

        others.Insert(priority - 1, current);
        var renumbered = others.Select((c, i) => c with { Priority = i + 1 }).ToDictionary(c => c.Id);
        await SaveConfigurationsAsync(Configurations.Select(c => renumbered.GetValueOrDefault(c.Id, c)).ToList());
        return true;
    }

    /// <summary>Refuses a device that a platform restriction excludes; writes nothing.</summary>
    private void CheckPlatformRestrictions(EnrollmentCandidate candidate)
    {
        var restriction = Effective(EnrollmentConfigurationKind.PlatformRestrictions, candidate).RestrictionFor(candidate.Platform);
        var platform = candidate.Platform.OperatingSystem();
        if (restriction.PlatformBlocked)
        {
            throw new EnrollmentRefusedException(EnrollmentRefusal.PlatformBlocked, $"Enrollment of {platform} devices is blocked by this organization's enrollment restrictions.");
        }

        // Intune treats a device not identified as corporate as personal.
        if (restriction.PersonalDeviceEnrollmentBlocked && candidate.Ownership != DeviceOwnership.Company)
        {
            throw new EnrollmentRefusedException(EnrollmentRefusal.PersonalDeviceBlocked, $"Enrollment of personally owned {platform} devices is blocked by this organization's enrollment restrictions.");
        }

        if (restriction.OsMinimumVersion is null && restriction.OsMaximumVersion is null)
        {
            return;
        }

        if (!OsVersion.TryParse(candidate.OsVersion, out var version))
        {
            throw new EnrollmentRefusedException(EnrollmentRefusal.InvalidRequest, $"The OS version '{candidate.OsVersion}' is not a dotted version number; it cannot be checked against this organization's OS version restrictions.");
        }

        if (OsVersion.TryParse(restriction.OsMinimumVersion, out var minimum) && OsVersion.Compare(version, minimum) < 0)
        {
            throw new EnrollmentRefusedException(EnrollmentRefusal.OsVersionBelowMinimum, $"{platform} {candidate.OsVersion} is below the minimum version {restriction.OsMinimumVersion} allowed to enroll. Update the device first.");
        }

        if (OsVersion.TryParse(restriction.OsMaximumVersion, out var maximum) && OsVersion.Compare(version, maximum) > 0)
        {
            throw new EnrollmentRefusedException(EnrollmentRefusal.OsVersionAboveMaximum, $"{platform} {candidate.OsVersion} is above the maximum version {restriction.OsMaximumVersion} allowed to enroll.");
        }
    }

    public Task<IReadOnlyList<string>> GetEnrollmentRestrictionGroupIdsAsync() =>
        Task.FromResult<IReadOnlyList<string>>(!State.Exists ? [] : restrictions.State.Configurations
            .SelectMany(c => c.Assignments)
            .Where(a => !string.IsNullOrWhiteSpace(a.GroupId))
            .Select(a => a.GroupId!)
            .Distinct(StringComparer.Ordinal)
            .ToList());

    /// <summary>
    /// The configuration of a kind that applies to an enrolling device: the first by priority that
    /// targets everyone or a group the enrolling user is in, and does not exclude a group the user
    /// is in; else the default.
    /// </summary>
    private EnrollmentConfiguration Effective(EnrollmentConfigurationKind kind, EnrollmentCandidate candidate)
    {
        var groups = candidate.UserGroupIds.ToHashSet(StringComparer.Ordinal);
        return Configurations
            .Where(c => c.Kind == kind)
            .Where(c => c.IsDefault || Targets(c, groups))
            .OrderBy(c => c.IsDefault)
            .ThenBy(c => c.Priority)
            .First();
    }

    private static bool Targets(EnrollmentConfiguration configuration, HashSet<string> userGroups) =>
        !configuration.Assignments.Any(a => a.ODataType == ExclusionGroupTarget && userGroups.Contains(a.GroupId ?? string.Empty))
        && configuration.Assignments.Any(a => EveryoneTargets.Contains(a.ODataType)
            || (a.ODataType == GroupTarget && userGroups.Contains(a.GroupId ?? string.Empty)));

    /// <summary>
    /// The stored configurations, with the built-in defaults for tenants that have none yet. A
    /// read: the defaults are stored only by the first write that changes a configuration.
    /// </summary>
    private IReadOnlyList<EnrollmentConfiguration> Configurations
    {
        get
        {
            var stored = restrictions.State.Configurations;
            var missing = new List<EnrollmentConfiguration>(2);
            if (!stored.Any(c => c.IsDefault && c.Kind == EnrollmentConfigurationKind.Limit))
            {
                missing.Add(new EnrollmentConfiguration
                {
                    Id = $"{TenantId}_DefaultLimit",
                    Kind = EnrollmentConfigurationKind.Limit,
                    DisplayName = DefaultDisplayName,
                    Description = "This is the default Device Limit Restriction applied with the lowest priority to all users regardless of group membership.",
                    Priority = 0,
                    CreatedDateTime = State.CreatedDateTime,
                    LastModifiedDateTime = State.CreatedDateTime,
                    Version = 1,
                    Limit = DefaultDeviceLimit,
                });
            }

            if (!stored.Any(c => c.IsDefault && c.Kind == EnrollmentConfigurationKind.PlatformRestrictions))
            {
                missing.Add(new EnrollmentConfiguration
                {
                    Id = $"{TenantId}_DefaultPlatformRestrictions",
                    Kind = EnrollmentConfigurationKind.PlatformRestrictions,
                    DisplayName = DefaultDisplayName,
                    Description = "This is the default Device Type Restriction applied with the lowest priority to all users regardless of group membership.",
                    Priority = 0,
                    CreatedDateTime = State.CreatedDateTime,
                    LastModifiedDateTime = State.CreatedDateTime,
                    Version = 1,
                });
            }

            return missing.Count == 0 ? stored : [.. stored, .. missing];
        }
    }

    private Task ReplaceAsync(EnrollmentConfiguration current, EnrollmentConfiguration updated) =>
        SaveConfigurationsAsync(Configurations.Select(c => c.Id == current.Id ? updated : c).ToList());

    /// <summary>Keeps the new configurations only once they are written (interleaved enrollments read them meanwhile).</summary>
    private async Task SaveConfigurationsAsync(List<EnrollmentConfiguration> configurations)
    {
        var before = restrictions.State.Configurations;
        restrictions.State.Configurations = configurations;
        await restrictions.WriteOrRollBackAsync(GrainContext, () => restrictions.State.Configurations = before);
    }

    private static void Validate(EnrollmentConfiguration configuration)
    {
        if (configuration.Kind == EnrollmentConfigurationKind.Limit && configuration.Limit is < MinimumDeviceLimit or > MaximumDeviceLimit)
        {
            throw new InvalidRequestException($"The device limit must be between {MinimumDeviceLimit} and {MaximumDeviceLimit}; got {configuration.Limit}.");
        }

        if (configuration.Kind != EnrollmentConfigurationKind.PlatformRestrictions)
        {
            return;
        }

        foreach (var (name, restriction) in new[]
        {
            ("iosRestriction", configuration.IosRestriction),
            ("androidRestriction", configuration.AndroidRestriction),
            ("windowsRestriction", configuration.WindowsRestriction),
            ("macOSRestriction", configuration.MacOSRestriction),
        })
        {
            int[]? minimum = null, maximum = null;
            if (restriction.OsMinimumVersion is { } min && !OsVersion.TryParse(min, out minimum))
            {
                throw new InvalidRequestException($"{name}.osMinimumVersion '{min}' is not a dotted version number such as 10.0.19045.");
            }

            if (restriction.OsMaximumVersion is { } max && !OsVersion.TryParse(max, out maximum))
            {
                throw new InvalidRequestException($"{name}.osMaximumVersion '{max}' is not a dotted version number such as 18.1.");
            }

            if (minimum is not null && maximum is not null && OsVersion.Compare(minimum, maximum) > 0)
            {
                throw new InvalidRequestException($"{name}: osMinimumVersion {restriction.OsMinimumVersion} is above osMaximumVersion {restriction.OsMaximumVersion}.");
            }
        }
    }
}
