using Intune.Grains.Policies;
using Intune.Grains.Tenants;
using Intune.Grains.Users;
using Microsoft.Extensions.Logging;

namespace Intune.Grains.Devices;

/// <summary>
/// Compliance and configuration on the device: policies delivered by fan-out are evaluated here
/// against the reported facts; grace periods, scheduled actions and the validity period fire from
/// a grain timer (and a reminder, should the grain be deactivated) without waiting for a check-in.
/// </summary>
internal sealed partial class DeviceGrain : IDeviceComplianceGrain
{
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromDays(1);

    private IGrainTimer? _deadlineTimer;

    private ComplianceSettings TenantSettings => State.ComplianceSettings ?? ComplianceSettings.Default;

    public async Task ApplyPolicyAsync(PolicyDelivery delivery)
    {
        if (!State.IsEnrolled)
        {
            return;
        }

        var now = time.GetUtcNow();
        var (policies, statuses) = delivery.Kind == PolicyKind.Compliance
            ? (State.CompliancePolicies, State.ComplianceStatuses)
            : (State.ConfigurationProfiles, State.ConfigurationStatuses);
        if (delivery.Definition is null)
        {
            if (!policies.Remove(delivery.PolicyId))
            {
                return;
            }

            statuses.Remove(delivery.PolicyId);
            State.FiredActions.RemoveWhere(a => a.StartsWith(delivery.PolicyId + "/", StringComparison.Ordinal));
            await ReportToPolicyAsync(delivery.PolicyId, null);
        }
        else
        {
            if (policies.TryGetValue(delivery.PolicyId, out var held) && held.Version == delivery.Definition.Version)
            {
                return;
            }

            policies[delivery.PolicyId] = delivery.Definition;
        }

        State.AssignmentVersion++;
        await RefreshComplianceAsync(now, reportAll: false);
        await PersistAsync();
        // A connected device is pushed to check in now; an offline one gets the new etag at its next check-in.
        await NudgeAfterAssignmentChangeAsync();
    }

    public async Task ApplyEnrolledUserExistsAsync(bool exists)
    {
        if (!State.IsEnrolled || State.UserPrincipalName is null || State.EnrolledUserDeleted == !exists)
        {
            return;
        }

        State.EnrolledUserDeleted = !exists;
        await RefreshComplianceAsync(time.GetUtcNow(), reportAll: false);
        await PersistAsync();
    }

    public async Task ApplySettingsAsync(ComplianceSettings settings)
    {
        if (!State.IsEnrolled || State.ComplianceSettings == settings)
        {
            return;
        }

        State.ComplianceSettings = settings;
        await RefreshComplianceAsync(time.GetUtcNow(), reportAll: false);
        await PersistAsync();
    }

    public Task<IReadOnlyList<DevicePolicyStatus>> GetPolicyStatusesAsync(PolicyKind kind) =>
        Task.FromResult<IReadOnlyList<DevicePolicyStatus>>(
            (kind == PolicyKind.Compliance ? State.ComplianceStatuses : State.ConfigurationStatuses).Values
                .OrderBy(s => s.PolicyId, StringComparer.Ordinal).ToList());

    public Task<IReadOnlyList<ComplianceNotification>> GetNotificationsAsync() =>
        Task.FromResult<IReadOnlyList<ComplianceNotification>>(State.Notifications);

    public Task<AccessVerdict?> GetAccessVerdictAsync() => Task.FromResult(State.IsEnrolled
        ? new AccessVerdict(
            State.DeviceId!,
            IsManaged: State.ManagementState == ManagementState.Managed,
            IsCompliant: State.ManagementState == ManagementState.Managed && State.ComplianceState == ComplianceState.Compliant,
            State.ComplianceState,
            State.ManagementState,
            _lastSync)
        : null);

    public async Task RemoveFromComplianceAsync()
    {
        if (!State.IsEnrolled)
        {
            return;
        }

        await Task.WhenAll(State.ComplianceStatuses.Keys.Concat(State.ConfigurationStatuses.Keys).Select(id => ReportToPolicyAsync(id, null)));
        var summary = GrainFactory.GetGrain<IDeviceStateSummaryGrain>(State.TenantId!);
        await summary.TransitionAsync(PolicyKind.Compliance, State.SummaryComplianceState, null);
        await summary.TransitionAsync(PolicyKind.Configuration, State.SummaryConfigurationState, null);
        await Task.WhenAll(State.IndexedHardware.Select(k => GrainFactory.GetGrain<IHardwareIndexGrain>(k).RemoveAsync(State.DeviceId!)));
        await GrainFactory.GetGrain<IComplianceDeadlineGrain>(this.GetPrimaryKeyString()).ScheduleAsync(null, daily: false);
        _deadlineTimer?.Dispose();
        _deadlineTimer = null;
        State.CompliancePolicies.Clear();
        State.ComplianceStatuses.Clear();
        State.ConfigurationProfiles.Clear();
        State.ConfigurationStatuses.Clear();
        State.IndexedHardware.Clear();
        State.SummaryComplianceState = null;
        State.SummaryConfigurationState = null;
        State.ReminderDeadline = null;
        await PersistAsync();
    }

    public async Task RunDueDeadlinesAsync()
    {
        if (!State.IsEnrolled)
        {
            return;
        }

        var before = (State.ComplianceState, State.Notifications.Count, State.FiredActions.Count);
        var statusesChanged = await RefreshComplianceAsync(time.GetUtcNow(), reportAll: false);
        if (statusesChanged || (State.ComplianceState, State.Notifications.Count, State.FiredActions.Count) != before)
        {
            await PersistAsync();
        }
    }

    /// <summary>
    /// The compliance part of a check-in: first-time bootstrap, setting reports, re-evaluation.
    /// Returns whether anything that must be stored changed; calls nothing when nothing did.
    /// </summary>
    private async Task<bool> ComplianceCheckInAsync(DeviceCheckIn checkIn, bool factsChanged, DateTimeOffset now)
    {
        var changed = false;
        if (!State.HasCheckedIn)
        {
            await BootstrapAsync();
            State.HasCheckedIn = true;
            changed = true;
        }

        if (factsChanged || changed)
        {
            changed |= await IndexHardwareAsync();
        }

        foreach (var setting in checkIn.SettingReports)
        {
            var key = $"{setting.PolicyId}/{setting.Setting}";
            if (!State.SettingReports.TryGetValue(key, out var previous) || previous != setting)
            {
                State.SettingReports[key] = setting;
                changed = true;
            }
        }

        var before = State.ComplianceState;
        if (changed || factsChanged || before != ComputeOverall(now) || HasDueDeadline(now))
        {
            var statusesChanged = await RefreshComplianceAsync(now, reportAll: false);
            changed |= statusesChanged || State.ComplianceState != before;
        }

        return changed;
    }

    /// <summary>The state the check-in answers and stores (computed by <see cref="ComplianceCheckInAsync"/>).</summary>
    private ComplianceState EvaluateCompliance() => State.ComplianceState;

    /// <summary>Adds the delivered configuration and compliance details to an answer that is not "not modified".</summary>
    private DeviceCheckInResult WithPolicies(DeviceCheckInResult result)
    {
        if (result.NotModified)
        {
            return result;
        }

        var (delivered, conflicts) = MergeConfiguration();
        return result with
        {
            Configuration = delivered,
            Conflicts = conflicts,
            CompliancePolicies = State.ComplianceStatuses.Values.OrderBy(s => s.PolicyId, StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>Learns the tenant's settings and which assigned policies target this new device (once per device).</summary>
    private async Task BootstrapAsync()
    {
        var bootstrap = await GrainFactory.GetGrain<ITenantComplianceGrain>(State.TenantId!).GetDeviceBootstrapAsync();
        State.ComplianceSettings ??= bootstrap.Settings;
        if (State.UserPrincipalName is { } upn)
        {
            // A user deleted before this device's first check-in never told it.
            State.EnrolledUserDeleted |= !await GrainFactory.GetGrain<IUserGrain>(UserDevices.Key(State.TenantId!, upn)).ExistsAsync();
        }

        var resolved = await Task.WhenAll(bootstrap.AssignedPolicyIds.Select(id =>
            GrainFactory.GetGrain<IPolicyGrain>(GrainKeys.Scoped(State.TenantId!, id)).ResolveDeviceAsync(State.DeviceId!, State.UserPrincipalName)));
        foreach (var definition in resolved.OfType<PolicyDefinition>())
        {
            (definition.Kind == PolicyKind.Compliance ? State.CompliancePolicies : State.ConfigurationProfiles)[definition.Id] = definition;
            State.AssignmentVersion++;
        }
    }

    /// <summary>
    /// Re-evaluates every policy, takes due actions, sets the overall state, reports transitions
    /// to the policies and the tenant summary, and arms the next deadline. Returns whether any
    /// per-policy status changed.
    /// </summary>
    private async Task<bool> RefreshComplianceAsync(DateTimeOffset now, bool reportAll)
    {
        var changedPolicies = new List<(PolicyKind Kind, DevicePolicyStatus Status)>();
        foreach (var (id, definition) in State.CompliancePolicies)
        {
            var status = EvaluatePolicy(definition, State.ComplianceStatuses.GetValueOrDefault(id), now);
            if (reportAll || !Same(State.ComplianceStatuses.GetValueOrDefault(id), status))
            {
                changedPolicies.Add((PolicyKind.Compliance, status));
            }

            State.ComplianceStatuses[id] = status;
        }

        foreach (var status in EvaluateConfiguration(now))
        {
            if (reportAll || !Same(State.ConfigurationStatuses.GetValueOrDefault(status.PolicyId), status))
            {
                changedPolicies.Add((PolicyKind.Configuration, status));
            }

            State.ConfigurationStatuses[status.PolicyId] = status;
        }

        await TakeDueActionsAsync(now);
        State.ComplianceState = ComputeOverall(now);

        var summary = GrainFactory.GetGrain<IDeviceStateSummaryGrain>(State.TenantId!);
        var complianceSummary = ToSummaryState(State.ComplianceState);
        if (complianceSummary == PolicyDeviceState.Compliant && State.ComplianceStatuses.Values.Any(s => s.State == PolicyDeviceState.Remediated))
        {
            complianceSummary = PolicyDeviceState.Remediated;
        }

        if (complianceSummary != State.SummaryComplianceState)
        {
            await summary.TransitionAsync(PolicyKind.Compliance, State.SummaryComplianceState, complianceSummary);
            State.SummaryComplianceState = complianceSummary;
        }

        PolicyDeviceState? configurationSummary = State.ConfigurationStatuses.Count == 0 ? null : State.ConfigurationStatuses.Values.Select(s => s.State).Worst();
        if (configurationSummary != State.SummaryConfigurationState)
        {
            await summary.TransitionAsync(PolicyKind.Configuration, State.SummaryConfigurationState, configurationSummary);
            State.SummaryConfigurationState = configurationSummary;
        }

        await Task.WhenAll(changedPolicies.Select(c => ReportToPolicyAsync(c.Status.PolicyId, c.Status)));
        await ArmDeadlineAsync(now);
        return changedPolicies.Count > 0;
    }

    private DevicePolicyStatus EvaluatePolicy(PolicyDefinition definition, DevicePolicyStatus? previous, DateTimeOffset now)
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
        if (!State.HasCheckedIn)
        {
            // Judged at the device's first check-in, with facts it reported itself.
            return status with { State = PolicyDeviceState.Unknown };
        }

        var (state, settings) = ComplianceEvaluator.Evaluate(definition, State.Platform, State.Facts);
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
    private IEnumerable<DevicePolicyStatus> EvaluateConfiguration(DateTimeOffset now)
    {
        var (_, conflicts) = MergeConfiguration();
        var conflicting = conflicts.SelectMany(c => c.ValuesByPolicyId.Keys.Select(p => (Policy: p, c.Setting))).ToHashSet();
        foreach (var (id, profile) in State.ConfigurationProfiles)
        {
            var previous = State.ConfigurationStatuses.GetValueOrDefault(id);
            var applies = PolicySchemas.Find(profile.ODataType)?.AppliesTo(State.Platform) == true;
            var settings = applies
                ? profile.Settings.Keys.Order(StringComparer.Ordinal).Select(setting =>
                {
                    if (conflicting.Contains((id, setting)))
                    {
                        return new SettingResult(setting, PolicyDeviceState.Conflict, profile.Settings[setting], null, "Another profile sets a different value; not delivered.");
                    }

                    return State.SettingReports.TryGetValue($"{id}/{setting}", out var reported)
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
    private (IReadOnlyList<DeliveredSetting> Delivered, IReadOnlyList<SettingConflict> Conflicts) MergeConfiguration()
    {
        var delivered = new List<DeliveredSetting>();
        var conflicts = new List<SettingConflict>();
        var bySetting = State.ConfigurationProfiles.Values
            .Where(p => PolicySchemas.Find(p.ODataType)?.AppliesTo(State.Platform) == true)
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
    /// validity period passes without a check-in.
    /// </summary>
    private ComplianceState ComputeOverall(DateTimeOffset now)
    {
        if (!State.HasCheckedIn)
        {
            return ComplianceState.Unknown;
        }

        // The built-in default compliance policy: "is active" (checked in within the validity
        // period) and "enrolled user exists" apply to every device, whatever else is assigned.
        if (now - _lastSync > TimeSpan.FromDays(TenantSettings.DeviceComplianceCheckinThresholdDays))
        {
            return ComplianceState.Noncompliant;
        }

        if (State.EnrolledUserDeleted)
        {
            return ComplianceState.Noncompliant;
        }

        var worst = State.ComplianceStatuses.Count == 0 ? PolicyDeviceState.NotApplicable : State.ComplianceStatuses.Values.Select(s => s.RollUpState).Worst();
        return worst switch
        {
            PolicyDeviceState.Unknown => ComplianceState.Unknown,
            // No policy that applies: the built-in default policy's "mark devices with no compliance policy assigned as".
            PolicyDeviceState.NotApplicable => TenantSettings.SecureByDefault ? ComplianceState.Noncompliant : ComplianceState.Compliant,
            PolicyDeviceState.Compliant or PolicyDeviceState.Remediated => ComplianceState.Compliant,
            PolicyDeviceState.InGracePeriod => ComplianceState.InGracePeriod,
            PolicyDeviceState.Error => ComplianceState.Error,
            _ => ComplianceState.Noncompliant,
        };
    }

    private static PolicyDeviceState? ToSummaryState(ComplianceState state) => state switch
    {
        ComplianceState.Compliant => PolicyDeviceState.Compliant,
        ComplianceState.InGracePeriod => PolicyDeviceState.InGracePeriod,
        ComplianceState.Noncompliant => PolicyDeviceState.NonCompliant,
        ComplianceState.Error => PolicyDeviceState.Error,
        ComplianceState.Conflict => PolicyDeviceState.Conflict,
        _ => PolicyDeviceState.Unknown,
    };

    /// <summary>Takes every scheduled action whose time has come in the current noncompliance episode.</summary>
    private async Task TakeDueActionsAsync(DateTimeOffset now)
    {
        foreach (var (id, status) in State.ComplianceStatuses)
        {
            if (status.NoncompliantSince is null)
            {
                State.FiredActions.RemoveWhere(a => a.StartsWith(id + "/", StringComparison.Ordinal));
                continue;
            }

            if (!TenantSettings.IsScheduledActionEnabled)
            {
                continue;
            }

            var definition = State.CompliancePolicies[id];
            foreach (var (rule, ruleIndex) in definition.ScheduledActions.Select((r, i) => (r, i)))
            {
                foreach (var (action, actionIndex) in rule.Actions.Select((a, i) => (a, i)))
                {
                    var key = $"{id}/{ruleIndex}/{actionIndex}";
                    if (action.ActionType is ComplianceActionType.Block or ComplianceActionType.NoAction
                        || status.NoncompliantSince.Value + TimeSpan.FromHours(action.GracePeriodHours) > now
                        || !State.FiredActions.Add(key))
                    {
                        continue;
                    }

                    await TakeActionAsync(definition, action, now);
                }
            }
        }
    }

    private async Task TakeActionAsync(PolicyDefinition definition, ComplianceActionItem action, DateTimeOffset now)
    {
        logger.LogInformation("Device {DeviceId}: {Action} for policy {PolicyId}", State.DeviceId, action.ActionType, definition.Id);
        switch (action.ActionType)
        {
            case ComplianceActionType.Notification:
            case ComplianceActionType.PushNotification:
            case ComplianceActionType.RemoveResourceAccessProfiles:
                var message = action.ActionType == ComplianceActionType.RemoveResourceAccessProfiles
                    ? $"Resource access profiles removed from '{State.DeviceName}': it is not compliant with '{definition.DisplayName}'."
                    : $"Your device '{State.DeviceName}' is not compliant with '{definition.DisplayName}'. Open Company Portal to see how to fix it.";
                State.Notifications.Add(new ComplianceNotification(definition.Id, action.ActionType, action.NotificationTemplateId, action.NotificationMessageCcList, message, now));
                break;
            case ComplianceActionType.Retire:
            case ComplianceActionType.Wipe:
                await GrainFactory.GetGrain<ITenantComplianceGrain>(State.TenantId!)
                    .RequestRetireAsync(new RetireRequest(State.DeviceId!, definition.Id, action.ActionType, now, RetireRequestState.Pending, null));
                break;
        }
    }

    /// <summary>The earliest moment something changes without a check-in: a grace or action deadline, or validity expiry.</summary>
    private DateTimeOffset? NextDeadline(DateTimeOffset now)
    {
        var candidates = new List<DateTimeOffset>();
        if (State.HasCheckedIn)
        {
            var validity = _lastSync + TimeSpan.FromDays(TenantSettings.DeviceComplianceCheckinThresholdDays);
            if (validity >= now)
            {
                candidates.Add(validity + TimeSpan.FromTicks(1));
            }
        }

        foreach (var (id, status) in State.ComplianceStatuses)
        {
            if (status.State == PolicyDeviceState.Error && status.ErrorSince is { } errorSince && errorSince + PolicyDeviceStates.ErrorHoldPeriod > now)
            {
                candidates.Add(errorSince + PolicyDeviceStates.ErrorHoldPeriod);
            }

            if (status.NoncompliantSince is not { } since)
            {
                continue;
            }

            if (status.GracePeriodExpiration is { } grace && grace > now)
            {
                candidates.Add(grace);
            }

            var definition = State.CompliancePolicies[id];
            foreach (var (rule, ruleIndex) in definition.ScheduledActions.Select((r, i) => (r, i)))
            {
                foreach (var (action, actionIndex) in rule.Actions.Select((a, i) => (a, i)))
                {
                    var at = since + TimeSpan.FromHours(action.GracePeriodHours);
                    if (at > now && !State.FiredActions.Contains($"{id}/{ruleIndex}/{actionIndex}"))
                    {
                        candidates.Add(at);
                    }
                }
            }
        }

        return candidates.Count == 0 ? null : candidates.Min();
    }

    private bool HasDueDeadline(DateTimeOffset now) => NextDeadline(now - TimeSpan.FromTicks(1)) is { } due && due <= now;

    /// <summary>
    /// A grain timer (on the injected <see cref="TimeProvider"/>) fires the next deadline on time;
    /// a reminder wakes the grain for it if it was deactivated meanwhile.
    /// </summary>
    private async Task ArmDeadlineAsync(DateTimeOffset now)
    {
        _deadlineTimer?.Dispose();
        _deadlineTimer = null;
        var next = NextDeadline(now);
        if (next is { } due)
        {
            // Timers cannot wait longer than ~49 days and validity may be 120: wake at least daily and re-arm.
            var delay = due - now < MaxTimerDelay ? due - now : MaxTimerDelay;
            _deadlineTimer = this.RegisterGrainTimer(_ => RunDueDeadlinesAsync(), delay, Timeout.InfiniteTimeSpan);
        }

        // Validity is days long and moves with every check-in: the reminder covers it with a daily
        // period, registered once, so check-ins do not write the reminder table.
        var wake = next is { } d && d - now < TimeSpan.FromDays(1) ? d : (DateTimeOffset?)null;
        var reminderTarget = wake ?? (State.HasCheckedIn ? DateTimeOffset.MaxValue : null);
        if (reminderTarget != State.ReminderDeadline)
        {
            State.ReminderDeadline = reminderTarget;
            await GrainFactory.GetGrain<IComplianceDeadlineGrain>(this.GetPrimaryKeyString()).ScheduleAsync(wake, State.HasCheckedIn);
        }
    }

    private Task ReportToPolicyAsync(string policyId, DevicePolicyStatus? status) =>
        GrainFactory.GetGrain<IPolicyGrain>(GrainKeys.Scoped(State.TenantId!, policyId)).ReportStatusAsync(new PolicyStatusReport
        {
            DeviceId = State.DeviceId!,
            DeviceName = State.DeviceName,
            DeviceModel = State.Facts.Model,
            UserPrincipalName = State.UserPrincipalName,
            State = status?.State,
            GracePeriodExpiration = status?.State == PolicyDeviceState.InGracePeriod ? status.GracePeriodExpiration : null,
            LastReportedDateTime = status?.LastReportedDateTime ?? time.GetUtcNow(),
            Version = status?.Version ?? 0,
        });

    private static bool Same(DevicePolicyStatus? a, DevicePolicyStatus? b) =>
        a is not null && b is not null && a.State == b.State && a.Version == b.Version
        && a.GracePeriodExpiration == b.GracePeriodExpiration && a.Settings.SequenceEqual(b.Settings);

    /// <summary>Keeps the network-access-control index (serial number, MAC addresses) pointing at this device.</summary>
    private async Task<bool> IndexHardwareAsync()
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var serial in new[] { State.Facts.SerialNumber, State.Hardware.SerialNumber })
        {
            if (!string.IsNullOrWhiteSpace(serial))
            {
                wanted.Add(HardwareIndex.Key(State.TenantId!, HardwareKind.SerialNumber, serial));
            }
        }

        foreach (var mac in new[] { State.Facts.WiFiMacAddress, State.Facts.EthernetMacAddress, State.Hardware.WiFiMacAddress, State.Hardware.EthernetMacAddress })
        {
            if (!string.IsNullOrWhiteSpace(mac) && HardwareIndex.Normalize(HardwareKind.MacAddress, mac).Length > 0)
            {
                wanted.Add(HardwareIndex.Key(State.TenantId!, HardwareKind.MacAddress, mac));
            }
        }

        if (wanted.SetEquals(State.IndexedHardware))
        {
            return false;
        }

        await Task.WhenAll(
            wanted.Except(State.IndexedHardware).Select(k => GrainFactory.GetGrain<IHardwareIndexGrain>(k).SetAsync(State.DeviceId!))
                .Concat(State.IndexedHardware.Except(wanted).Select(k => GrainFactory.GetGrain<IHardwareIndexGrain>(k).RemoveAsync(State.DeviceId!))));
        State.IndexedHardware = wanted;
        return true;
    }

    /// <summary>The one place an assignment change pushes the device; see <see cref="ApplyPolicyAsync"/>.</summary>
    private Task NudgeAfterAssignmentChangeAsync() => NudgeAsync("assignment");
}
