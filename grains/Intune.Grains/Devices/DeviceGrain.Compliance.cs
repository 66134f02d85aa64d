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

    private ComplianceSettings TenantSettings => DeviceComplianceModel.SettingsOf(State);

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
        if (changed || factsChanged || before != DeviceComplianceModel.ComputeOverall(State, _lastSync, now) || DeviceComplianceModel.HasDueDeadline(State, _lastSync, now))
        {
            var statusesChanged = await RefreshComplianceAsync(now, reportAll: false);
            changed |= statusesChanged || State.ComplianceState != before;
        }

        return changed;
    }

    /// <summary>Adds the delivered configuration and compliance details to an answer that is not "not modified".</summary>
    private DeviceCheckInResult WithPolicies(DeviceCheckInResult result)
    {
        if (result.NotModified)
        {
            return result;
        }

        var (delivered, conflicts) = DeviceComplianceModel.MergeConfiguration(State);
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
            var status = DeviceComplianceModel.EvaluatePolicy(State, definition, State.ComplianceStatuses.GetValueOrDefault(id), now);
            if (reportAll || !Same(State.ComplianceStatuses.GetValueOrDefault(id), status))
            {
                changedPolicies.Add((PolicyKind.Compliance, status));
            }

            State.ComplianceStatuses[id] = status;
        }

        foreach (var status in DeviceComplianceModel.EvaluateConfiguration(State, now).ToList())
        {
            if (reportAll || !Same(State.ConfigurationStatuses.GetValueOrDefault(status.PolicyId), status))
            {
                changedPolicies.Add((PolicyKind.Configuration, status));
            }

            State.ConfigurationStatuses[status.PolicyId] = status;
        }

        await TakeDueActionsAsync(now);
        State.ComplianceState = DeviceComplianceModel.ComputeOverall(State, _lastSync, now);

        var summary = GrainFactory.GetGrain<IDeviceStateSummaryGrain>(State.TenantId!);
        var complianceSummary = DeviceComplianceModel.ComplianceSummaryState(State);
        if (complianceSummary != State.SummaryComplianceState)
        {
            await summary.TransitionAsync(PolicyKind.Compliance, State.SummaryComplianceState, complianceSummary);
            State.SummaryComplianceState = complianceSummary;
        }

        var configurationSummary = DeviceComplianceModel.ConfigurationSummaryState(State);
        if (configurationSummary != State.SummaryConfigurationState)
        {
            await summary.TransitionAsync(PolicyKind.Configuration, State.SummaryConfigurationState, configurationSummary);
            State.SummaryConfigurationState = configurationSummary;
        }

        await Task.WhenAll(changedPolicies.Select(c => ReportToPolicyAsync(c.Status.PolicyId, c.Status)));
        await ArmDeadlineAsync(now);
        return changedPolicies.Count > 0;
    }

    /// <summary>Takes every scheduled action whose time has come in the current noncompliance episode.</summary>
    private async Task TakeDueActionsAsync(DateTimeOffset now)
    {
        foreach (var id in State.ComplianceStatuses.Where(s => s.Value.NoncompliantSince is null).Select(s => s.Key))
        {
            State.FiredActions.RemoveWhere(a => a.StartsWith(id + "/", StringComparison.Ordinal));
        }

        if (!TenantSettings.IsScheduledActionEnabled)
        {
            return;
        }

        foreach (var (definition, action, key) in DeviceComplianceModel.DueActions(State, now).ToList())
        {
            State.FiredActions.Add(key);
            await TakeActionAsync(definition, action, now);
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

    /// <summary>
    /// A grain timer (on the injected <see cref="TimeProvider"/>) fires the next deadline on time;
    /// a reminder wakes the grain for it if it was deactivated meanwhile.
    /// </summary>
    private async Task ArmDeadlineAsync(DateTimeOffset now)
    {
        _deadlineTimer?.Dispose();
        _deadlineTimer = null;
        var next = DeviceComplianceModel.NextDeadline(State, _lastSync, now);
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
