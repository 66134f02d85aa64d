using Intune.Grains.Delivery;
using Intune.Grains.Policies;
using Intune.Grains.Tenants;
using Intune.Grains.Users;
using Microsoft.Extensions.Logging;

namespace Intune.Grains.Devices;

/// <summary>
/// Compliance and configuration on the device: the policies that reach it (worked out at its own
/// check-in from the silo's delivery cache) are evaluated here
/// against the reported facts; grace periods, scheduled actions and the validity period fire from
/// a grain timer (and a reminder, should the grain be deactivated) without waiting for a check-in.
/// </summary>
internal sealed partial class DeviceGrain : IDeviceComplianceGrain
{
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromDays(1);

    private IGrainTimer? _deadlineTimer;

    private ComplianceSettings TenantSettings => DeviceComplianceModel.SettingsOf(State);

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

    public async Task SetUserAssociatedAsync(string userPrincipalName, bool associated)
    {
        var upn = userPrincipalName.Trim().ToLowerInvariant();
        if (!State.IsEnrolled || (associated ? !State.AssociatedUsers.Add(upn) : !State.AssociatedUsers.Remove(upn)))
        {
            return;
        }

        // Worked out again at the next check-in: the tenant's version has not moved, the device's users have.
        _deliveryVersion = -1;
        await PersistAsync();
    }

    /// <summary>The users user-targeted deliverables reach this device through: the enrolled one and any associated.</summary>
    private IReadOnlyCollection<string> DeviceUsers => State.UserPrincipalName is { } enrolled
        ? [.. State.AssociatedUsers.Append(enrolled.ToLowerInvariant()).Distinct(StringComparer.Ordinal)]
        : State.AssociatedUsers;

    public Task<IReadOnlyList<DevicePolicyStatus>> GetPolicyStatusesAsync(PolicyKind kind) =>
        Task.FromResult<IReadOnlyList<DevicePolicyStatus>>(
            (kind == PolicyKind.Compliance ? State.ComplianceStatuses : State.ConfigurationStatuses).Values
                .OrderBy(s => s.PolicyId, StringComparer.Ordinal).ToList());

    public Task<IReadOnlyList<ComplianceNotification>> GetNotificationsAsync() =>
        Task.FromResult<IReadOnlyList<ComplianceNotification>>(State.Notifications);

    public async Task<AccessVerdict?> GetAccessVerdictAsync()
    {
        // Network access is decided as of now: a deadline that passed while nothing woke the device
        // (the validity sweep runs hourly) is run before the verdict, not after.
        if (State.IsEnrolled && DeviceComplianceModel.HasDueDeadline(State, _lastSync, time.GetUtcNow()))
        {
            await RunDueDeadlinesAsync();
        }

        return Verdict();
    }

    private AccessVerdict? Verdict() => State.IsEnrolled
        ? new AccessVerdict(
            State.DeviceId!,
            IsManaged: State.ManagementState == ManagementState.Managed,
            IsCompliant: State.ManagementState == ManagementState.Managed && State.ComplianceState == ComplianceState.Compliant,
            State.ComplianceState,
            State.ManagementState,
            _lastSync)
        : null;

    public async Task RemoveFromComplianceAsync()
    {
        if (!State.IsEnrolled)
        {
            return;
        }

        await Task.WhenAll(State.ComplianceStatuses.Keys.Concat(State.ConfigurationStatuses.Keys).Select(id => ReportToPolicyAsync(id, null)));
        await Task.WhenAll(State.Apps.Keys.Select(id => ReportToAppAsync(id, AppStatus(null))));
        State.Apps.Clear();
        var summary = GrainFactory.GetGrain<IDeviceStateSummaryGrain>(State.TenantId!);
        await summary.TransitionAsync(PolicyKind.Compliance, State.SummaryComplianceState, null);
        await summary.TransitionAsync(PolicyKind.Configuration, State.SummaryConfigurationState, null);
        await hardwareIndex.ReleaseAsync(State.TenantId!, State.DeviceId!, State.IndexedHardware);
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
        _deliveryVersion = -1;
        await PersistAsync();
    }

    public async Task RunDueDeadlinesAsync()
    {
        if (!State.IsEnrolled)
        {
            return;
        }

        var before = (State.ComplianceState, State.Notifications.Count, State.FiredActions.Count);
        // A deadline is also when an offline device takes changed settings (the validity period).
        var synced = State.HasCheckedIn && await SyncDeliveriesAsync();
        var statusesChanged = await RefreshComplianceAsync(time.GetUtcNow(), reportAll: false);
        if (synced || statusesChanged || (State.ComplianceState, State.Notifications.Count, State.FiredActions.Count) != before)
        {
            await PersistAsync();
        }
    }

    /// <summary>
    /// The compliance part of a check-in: first-time bootstrap, setting reports, re-evaluation.
    /// Says what changed: what the device reported (kept only if stored now) and what was worked out
    /// from the tenant's delivery facts (which the next check-in works out again); calls nothing
    /// when nothing did.
    /// </summary>
    private async Task<CheckInChanges> ComplianceCheckInAsync(DeviceCheckIn checkIn, bool factsChanged, DateTimeOffset now)
    {
        var reported = false;
        if (!State.HasCheckedIn)
        {
            await BootstrapAsync();
            State.HasCheckedIn = true;
            reported = true;
        }

        var derived = await SyncDeliveriesAsync();
        reported |= await ApplyAppReportsAsync(checkIn.AppReports);
        reported |= ApplyInventory(checkIn.DetectedApps);

        if (factsChanged || reported || derived)
        {
            reported |= await IndexHardwareAsync();
        }

        reported |= ApplySettingReports(checkIn.SettingReports);

        var before = State.ComplianceState;
        if (reported || derived || factsChanged || before != DeviceComplianceModel.ComputeOverall(State, _lastSync, now) || DeviceComplianceModel.HasDueDeadline(State, _lastSync, now))
        {
            var statusesChanged = await RefreshComplianceAsync(now, reportAll: false);
            derived |= statusesChanged || State.ComplianceState != before;
        }

        return new CheckInChanges(reported, derived);
    }

    /// <param name="Reported">Something the device told (facts, reports, inventory): only this check-in carries it.</param>
    /// <param name="Derived">Only what the tenant's delivery facts and the reported facts imply: worked out again if lost.</param>
    private readonly record struct CheckInChanges(bool Reported, bool Derived);

    /// <summary>
    /// Keeps a device's per-setting results only for settings of the configuration profiles it
    /// holds, and drops those of profiles it no longer holds: what a device reports cannot grow its
    /// state past the profiles assigned to it (the state is one entity of at most 1 MB).
    /// </summary>
    private bool ApplySettingReports(IReadOnlyList<SettingReport> reports)
    {
        var changed = false;
        bool Held(SettingReport report) =>
            State.ConfigurationProfiles.TryGetValue(report.PolicyId, out var profile) && profile.Settings.ContainsKey(report.Setting);

        foreach (var report in reports)
        {
            if (!Held(report))
            {
                continue;
            }

            var key = $"{report.PolicyId}/{report.Setting}";
            if (!State.SettingReports.TryGetValue(key, out var previous) || previous != report)
            {
                State.SettingReports[key] = report;
                changed = true;
            }
        }

        // Pruned when a device reports (a not-modified check-in allocates nothing); until then the
        // results of a profile it no longer holds are never read.
        if (reports.Count > 0)
        {
            foreach (var (key, report) in State.SettingReports.ToList())
            {
                if (!Held(report))
                {
                    State.SettingReports.Remove(key);
                    changed = true;
                }
            }
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
            Apps = AppInstructions(),
        };
    }

    /// <summary>Once per device, at its first check-in: a user deleted before it never told it.</summary>
    private async Task BootstrapAsync()
    {
        if (State.UserPrincipalName is { } upn)
        {
            State.EnrolledUserDeleted |= !await GrainFactory.GetGrain<IUserGrain>(UserDevices.Key(State.TenantId!, upn)).ExistsAsync();
        }
    }

    /// <summary>
    /// Brings the device's effective set up to the tenant's assignment version, from this silo's
    /// cache: adds what now reaches it, takes newer versions, drops what no longer does
    /// (unassigned, excluded, left the group, deleted) and takes the compliance settings. Costs
    /// nothing when the version has not moved; returns whether anything the device holds changed.
    /// </summary>
    private async Task<bool> SyncDeliveriesAsync()
    {
        var tenant = await deliveries.GetAsync(State.TenantId!);
        if (tenant.Version == _deliveryVersion)
        {
            return false;
        }

        var changed = false;
        if (State.ComplianceSettings != tenant.Settings)
        {
            State.ComplianceSettings = tenant.Settings;
            changed = true;
        }

        var reaching = tenant.Deliverables.Values
            .Where(d => DeliveryTargeting.Reaches(d.Deliverable.Assignments, tenant.Groups, State.DeviceId!, DeviceUsers))
            .ToDictionary(d => d.Deliverable.Id, d => d.Body, StringComparer.Ordinal);
        var dropped = new List<string>();
        foreach (var (kind, held, statuses) in new[]
        {
            (PolicyKind.Compliance, State.CompliancePolicies, State.ComplianceStatuses),
            (PolicyKind.Configuration, State.ConfigurationProfiles, State.ConfigurationStatuses),
        })
        {
            foreach (var id in held.Keys.Where(id => !reaching.TryGetValue(id, out var body) || body.Kind != kind).ToList())
            {
                held.Remove(id);
                if (statuses.Remove(id))
                {
                    dropped.Add(id);
                }

                State.FiredActions.RemoveWhere(a => a.StartsWith(id + "/", StringComparison.Ordinal));
                changed = true;
            }

            foreach (var (id, body) in reaching.Where(r => r.Value.Kind == kind))
            {
                if (!held.TryGetValue(id, out var current) || current.Version != body.Version)
                {
                    held[id] = body with { Id = id };
                    changed = true;
                }
            }
        }

        // The device leaves the reports of what it dropped: the report says so at once.
        await Task.WhenAll(dropped.Select(id => ReportToPolicyAsync(id, null)));
        changed |= await SyncAppsAsync(tenant);
        _deliveryVersion = tenant.Version;
        if (changed)
        {
            State.AssignmentVersion = NextAssignmentVersion();
        }

        return changed;
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
            if (!await TakeActionAsync(definition, action, now))
            {
                // Not taken (the tenant's retire list is full): due again at the next evaluation.
                State.FiredActions.Remove(key);
            }
        }
    }

    /// <summary>False when the action could not be taken now.</summary>
    private async Task<bool> TakeActionAsync(PolicyDefinition definition, ComplianceActionItem action, DateTimeOffset now)
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
                return await GrainFactory.GetGrain<ITenantComplianceGrain>(State.TenantId!)
                    .RequestRetireAsync(new RetireRequest(State.DeviceId!, definition.Id, action.ActionType, now, RetireRequestState.Pending, null));
        }

        return true;
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

        // A deadline within a day gets a reminder of its own. Validity is days long and moves with
        // every check-in: the tenant's validity sweep (ComplianceSweepGrain) covers it, so neither
        // enrollment nor check-ins write the reminder table for it. Other deadlines further out (a
        // grace period or scheduled action of a noncompliant device) keep a daily reminder.
        var wake = next is { } d && d - now < TimeSpan.FromDays(1) ? d : (DateTimeOffset?)null;
        var daily = DeviceComplianceModel.NextDeadline(State, _lastSync, now, withValidity: false) is not null;
        var reminderTarget = wake ?? (daily ? DateTimeOffset.MaxValue : null);
        if (reminderTarget != State.ReminderDeadline)
        {
            State.ReminderDeadline = reminderTarget;
            await GrainFactory.GetGrain<IComplianceDeadlineGrain>(this.GetPrimaryKeyString()).ScheduleAsync(wake, daily);
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
                wanted.Add(HardwareIndex.Key(HardwareKind.SerialNumber, serial));
            }
        }

        foreach (var mac in new[] { State.Facts.WiFiMacAddress, State.Facts.EthernetMacAddress, State.Hardware.WiFiMacAddress, State.Hardware.EthernetMacAddress })
        {
            if (!string.IsNullOrWhiteSpace(mac) && HardwareIndex.Normalize(HardwareKind.MacAddress, mac).Length > 0)
            {
                wanted.Add(HardwareIndex.Key(HardwareKind.MacAddress, mac));
            }
        }

        if (wanted.SetEquals(State.IndexedHardware))
        {
            return false;
        }

        await Task.WhenAll(
            hardwareIndex.ClaimAsync(State.TenantId!, State.DeviceId!, wanted.Except(State.IndexedHardware).ToList()),
            hardwareIndex.ReleaseAsync(State.TenantId!, State.DeviceId!, State.IndexedHardware.Except(wanted).ToList()));
        State.IndexedHardware = wanted;
        return true;
    }
}
