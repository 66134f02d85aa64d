using Intune.Grains.Policies;
using Intune.Grains.Tenants;

namespace Intune.Grains.Devices;

/// <summary>
/// The pure half of a device's compliance: judging each policy, merging configuration profiles,
/// rolling the statuses up into the device's state and finding the next deadline. No grain,
/// storage or clock here (time is passed in), so every rule is covered by tests without a cluster;
/// <see cref="DeviceGrain"/> applies the results and reports them.
/// </summary>
internal static class DeviceComplianceModel
{
    /// <summary>Judges one compliance policy at <paramref name="now"/>, carrying error and noncompliance episodes over from <paramref name="previous"/>.</summary>
    public static DevicePolicyStatus EvaluatePolicy(DeviceState device, PolicyDefinition definition, DevicePolicyStatus? previous, DateTimeOffset now)
    {
        var status = new DevicePolicyStatus
        {
            PolicyId = definition.Id,
            Kind = PolicyKind.Compliance,
            DisplayName = definition.DisplayName,
            ODataType = definition.ODataType,
            Version = definition.Version,
            LastReportedDateTime = now,
        };
        if (!device.HasCheckedIn)
        {
            // Judged at the device's first check-in, with facts it reported itself.
            return status with { State = PolicyDeviceState.Unknown };
        }

        var (state, settings) = ComplianceEvaluator.Evaluate(definition, device.Platform, device.Facts);
        DateTimeOffset? errorSince = null;
        if (state == PolicyDeviceState.Error)
        {
            errorSince = previous?.ErrorSince ?? now;
            var errorCounts = errorSince.Value + PolicyDeviceStates.ErrorHoldPeriod;
            if (now < errorCounts)
            {
                return HoldPreviousState(status with { Settings = settings, ErrorSince = errorSince }, previous, now);
            }

            // The error has lasted the hold period: from then on it is noncompliance, with its grace period.
            state = PolicyDeviceState.NonCompliant;
            if (previous?.NoncompliantSince is null)
            {
                previous = (previous ?? status) with { NoncompliantSince = errorCounts };
            }
        }

        if (state == PolicyDeviceState.Compliant && IsRemediation(previous, definition.Version))
        {
            return status with { State = PolicyDeviceState.Remediated, Settings = settings };
        }

        if (state != PolicyDeviceState.NonCompliant)
        {
            return status with { State = state, Settings = settings };
        }

        var since = previous?.NoncompliantSince ?? now;
        var deadline = since + TimeSpan.FromHours(definition.BlockAction?.GracePeriodHours ?? 0);
        return status with
        {
            State = now < deadline ? PolicyDeviceState.InGracePeriod : PolicyDeviceState.NonCompliant,
            Settings = settings,
            NoncompliantSince = since,
            GracePeriodExpiration = deadline,
            ErrorSince = errorSince,
        };
    }

    /// <summary>
    /// Compliant again after failing at the same version: the device fixed itself (a new version
    /// that passes proves nothing about the device). Stays remediated while it passes at that version.
    /// </summary>
    private static bool IsRemediation(DevicePolicyStatus? previous, int version) =>
        previous is not null && previous.Version == version
        && previous.RollUpState is PolicyDeviceState.InGracePeriod or PolicyDeviceState.NonCompliant or PolicyDeviceState.Error or PolicyDeviceState.Remediated;

    /// <summary>
    /// A policy whose evaluation fails is reported as <c>error</c>, while the device's roll-up keeps
    /// the state it had before (pending if none) for <see cref="PolicyDeviceStates.ErrorHoldPeriod"/>.
    /// A held noncompliance keeps its start, so its grace period and actions still run.
    /// </summary>
    private static DevicePolicyStatus HoldPreviousState(DevicePolicyStatus status, DevicePolicyStatus? previous, DateTimeOffset now)
    {
        var held = previous is null ? PolicyDeviceState.Unknown : previous.RollUpState;
        if (held is PolicyDeviceState.InGracePeriod or PolicyDeviceState.NonCompliant && previous?.NoncompliantSince is { } since)
        {
            var deadline = previous.GracePeriodExpiration ?? since;
            return status with
            {
                State = PolicyDeviceState.Error,
                HeldState = now < deadline ? PolicyDeviceState.InGracePeriod : PolicyDeviceState.NonCompliant,
                NoncompliantSince = since,
                GracePeriodExpiration = deadline,
            };
        }

        return status with { State = PolicyDeviceState.Error, HeldState = held == PolicyDeviceState.Error ? PolicyDeviceState.Unknown : held };
    }

    /// <summary>
    /// Per profile: notApplicable on another platform, conflict when one of its settings conflicts,
    /// error when the device reported an error, compliant (succeeded) when every setting succeeded,
    /// otherwise pending (unknown).
    /// </summary>
    public static IEnumerable<DevicePolicyStatus> EvaluateConfiguration(DeviceState device, DateTimeOffset now)
    {
        var (_, conflicts) = MergeConfiguration(device);
        var conflicting = conflicts.SelectMany(c => c.ValuesByPolicyId.Keys.Select(p => (Policy: p, c.Setting))).ToHashSet();
        foreach (var (id, profile) in device.ConfigurationProfiles)
        {
            var previous = device.ConfigurationStatuses.GetValueOrDefault(id);
            var applies = PolicySchemas.Find(profile.ODataType)?.AppliesTo(device.Platform) == true;
            var settings = applies
                ? profile.Settings.Keys.Order(StringComparer.Ordinal).Select(setting =>
                {
                    if (conflicting.Contains((id, setting)))
                    {
                        return new SettingResult(setting, PolicyDeviceState.Conflict, profile.Settings[setting], null, "Another profile sets a different value; not delivered.");
                    }

                    return device.SettingReports.TryGetValue($"{id}/{setting}", out var reported)
                        ? new SettingResult(setting, reported.Succeeded ? PolicyDeviceState.Compliant : PolicyDeviceState.Error, profile.Settings[setting], null, reported.ErrorMessage)
                        : new SettingResult(setting, PolicyDeviceState.Unknown, profile.Settings[setting], null, null);
                }).ToList()
                : [];
            var state = !applies ? PolicyDeviceState.NotApplicable
                : settings.Any(s => s.State == PolicyDeviceState.Conflict) ? PolicyDeviceState.Conflict
                : settings.Any(s => s.State == PolicyDeviceState.Error) ? PolicyDeviceState.Error
                : settings.All(s => s.State == PolicyDeviceState.Compliant)
                    // Every setting succeeded after one had failed at this version: remediated.
                    ? previous is not null && previous.Version == profile.Version && previous.State is PolicyDeviceState.Error or PolicyDeviceState.Remediated
                        ? PolicyDeviceState.Remediated
                        : PolicyDeviceState.Compliant
                : PolicyDeviceState.Unknown;
            yield return new DevicePolicyStatus
            {
                PolicyId = id,
                Kind = PolicyKind.Configuration,
                DisplayName = profile.DisplayName,
                ODataType = profile.ODataType,
                Version = profile.Version,
                State = state,
                Settings = settings,
                LastReportedDateTime = previous is not null && previous.State == state && previous.Version == profile.Version ? previous.LastReportedDateTime : now,
            };
        }
    }

    /// <summary>
    /// Merges the applicable profiles: a setting every profile agrees on is delivered once; a
    /// setting with different values is a conflict, reported and not delivered.
    /// </summary>
    public static (IReadOnlyList<DeliveredSetting> Delivered, IReadOnlyList<SettingConflict> Conflicts) MergeConfiguration(DeviceState device)
    {
        var delivered = new List<DeliveredSetting>();
        var conflicts = new List<SettingConflict>();
        var bySetting = device.ConfigurationProfiles.Values
            .Where(p => PolicySchemas.Find(p.ODataType)?.AppliesTo(device.Platform) == true)
            .SelectMany(p => p.Settings.Select(s => (Policy: p.Id, Setting: s.Key, Value: s.Value)))
            .GroupBy(s => s.Setting, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var setting in bySetting)
        {
            if (setting.Select(s => s.Value).Distinct(StringComparer.Ordinal).Count() == 1)
            {
                delivered.Add(new DeliveredSetting(setting.Key, setting.First().Value, setting.Select(s => s.Policy).Order(StringComparer.Ordinal).ToList()));
            }
            else
            {
                conflicts.Add(new SettingConflict(setting.Key, setting.ToDictionary(s => s.Policy, s => s.Value, StringComparer.Ordinal)));
            }
        }

        return (delivered, conflicts);
    }

    /// <summary>
    /// Most severe over the policies (Unknown &lt; NotApplicable &lt; Compliant &lt; InGracePeriod &lt;
    /// NonCompliant &lt; Error); the built-in default policy when none applies; noncompliant once the
    /// validity period passes without a check-in (<paramref name="lastSync"/>, which may be newer than the stored one).
    /// </summary>
    public static ComplianceState ComputeOverall(DeviceState device, DateTimeOffset lastSync, DateTimeOffset now)
    {
        if (!device.HasCheckedIn)
        {
            return ComplianceState.Unknown;
        }

        // The built-in default compliance policy: "is active" (checked in within the validity
        // period) and "enrolled user exists" apply to every device, whatever else is assigned.
        var settings = SettingsOf(device);
        if (now - lastSync > TimeSpan.FromDays(settings.DeviceComplianceCheckinThresholdDays))
        {
            return ComplianceState.Noncompliant;
        }

        if (device.EnrolledUserDeleted)
        {
            return ComplianceState.Noncompliant;
        }

        var worst = device.ComplianceStatuses.Count == 0 ? PolicyDeviceState.NotApplicable : device.ComplianceStatuses.Values.Select(s => s.RollUpState).Worst();
        return worst switch
        {
            PolicyDeviceState.Unknown => ComplianceState.Unknown,
            // No policy that applies: the built-in default policy's "mark devices with no compliance policy assigned as".
            PolicyDeviceState.NotApplicable => settings.SecureByDefault ? ComplianceState.Noncompliant : ComplianceState.Compliant,
            PolicyDeviceState.Compliant or PolicyDeviceState.Remediated => ComplianceState.Compliant,
            PolicyDeviceState.InGracePeriod => ComplianceState.InGracePeriod,
            PolicyDeviceState.Error => ComplianceState.Error,
            _ => ComplianceState.Noncompliant,
        };
    }

    /// <summary>What the device counts as in the tenant's compliance summary.</summary>
    public static PolicyDeviceState? ComplianceSummaryState(DeviceState device)
    {
        var state = device.ComplianceState switch
        {
            ComplianceState.Compliant => PolicyDeviceState.Compliant,
            ComplianceState.InGracePeriod => PolicyDeviceState.InGracePeriod,
            ComplianceState.Noncompliant => PolicyDeviceState.NonCompliant,
            ComplianceState.Error => PolicyDeviceState.Error,
            ComplianceState.Conflict => PolicyDeviceState.Conflict,
            _ => PolicyDeviceState.Unknown,
        };
        return state == PolicyDeviceState.Compliant && device.ComplianceStatuses.Values.Any(s => s.State == PolicyDeviceState.Remediated)
            ? PolicyDeviceState.Remediated
            : state;
    }

    /// <summary>What the device counts as in the tenant's configuration summary; null with no profile.</summary>
    public static PolicyDeviceState? ConfigurationSummaryState(DeviceState device) =>
        device.ConfigurationStatuses.Count == 0 ? null : device.ConfigurationStatuses.Values.Select(s => s.State).Worst();

    /// <summary>The scheduled actions whose time has come in each policy's current noncompliance episode and that have not fired yet, as (policy, action, key).</summary>
    public static IEnumerable<(PolicyDefinition Policy, ComplianceActionItem Action, string Key)> DueActions(DeviceState device, DateTimeOffset now) =>
        ScheduledActions(device)
            .Where(a => a.Action.ActionType is not (ComplianceActionType.Block or ComplianceActionType.NoAction) && a.At <= now && !device.FiredActions.Contains(a.Key))
            .Select(a => (a.Policy, a.Action, a.Key));

    /// <summary>The earliest moment something changes without a check-in: a grace or action deadline, an error hold's end, or validity expiry.</summary>
    /// <param name="withValidity">Whether the validity deadline counts (false: only grace periods, error holds and scheduled actions).</param>
    public static DateTimeOffset? NextDeadline(DeviceState device, DateTimeOffset lastSync, DateTimeOffset now, bool withValidity = true)
    {
        var candidates = new List<DateTimeOffset>();
        if (withValidity && device.HasCheckedIn)
        {
            var validity = lastSync + TimeSpan.FromDays(SettingsOf(device).DeviceComplianceCheckinThresholdDays);
            if (validity >= now)
            {
                candidates.Add(validity + TimeSpan.FromTicks(1));
            }
        }

        foreach (var status in device.ComplianceStatuses.Values)
        {
            if (status.State == PolicyDeviceState.Error && status.ErrorSince is { } errorSince && errorSince + PolicyDeviceStates.ErrorHoldPeriod > now)
            {
                candidates.Add(errorSince + PolicyDeviceStates.ErrorHoldPeriod);
            }

            if (status.NoncompliantSince is not null && status.GracePeriodExpiration is { } grace && grace > now)
            {
                candidates.Add(grace);
            }
        }

        candidates.AddRange(ScheduledActions(device).Where(a => a.At > now && !device.FiredActions.Contains(a.Key)).Select(a => a.At));
        return candidates.Count == 0 ? null : candidates.Min();
    }

    /// <summary>Whether a deadline fell due at or before <paramref name="now"/> (so a check-in must re-evaluate).</summary>
    public static bool HasDueDeadline(DeviceState device, DateTimeOffset lastSync, DateTimeOffset now) =>
        NextDeadline(device, lastSync, now - TimeSpan.FromTicks(1)) is { } due && due <= now;

    public static ComplianceSettings SettingsOf(DeviceState device) => device.ComplianceSettings ?? ComplianceSettings.Default;

    /// <summary>Every action of every policy in a noncompliance episode, with the moment it falls due and its key <c>policyId/ruleIndex/actionIndex</c>.</summary>
    private static IEnumerable<(PolicyDefinition Policy, ComplianceActionItem Action, string Key, DateTimeOffset At)> ScheduledActions(DeviceState device)
    {
        foreach (var (id, status) in device.ComplianceStatuses)
        {
            if (status.NoncompliantSince is not { } since || !device.CompliancePolicies.TryGetValue(id, out var definition))
            {
                continue;
            }

            foreach (var (rule, ruleIndex) in definition.ScheduledActions.Select((r, i) => (r, i)))
            {
                foreach (var (action, actionIndex) in rule.Actions.Select((a, i) => (a, i)))
                {
                    yield return (definition, action, $"{id}/{ruleIndex}/{actionIndex}", since + TimeSpan.FromHours(action.GracePeriodHours));
                }
            }
        }
    }
}
