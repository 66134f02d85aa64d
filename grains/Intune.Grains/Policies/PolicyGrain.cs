using Intune.Grains.Devices;
using Intune.Grains.Errors;
using Intune.Grains.Groups;
using Intune.Grains.Tenants;
using Intune.Grains.Users;
using Microsoft.Extensions.Logging;

namespace Intune.Grains.Policies;

/// <summary>
/// A compliance policy or configuration profile (docs/architecture.md §2, Policy grain). Admin
/// changes make a new immutable version and reach the targeted devices by partitioned, parallel
/// fan-out; devices report their status back and the report's counters move with each report.
/// </summary>
internal sealed class PolicyGrain(
    [PersistentState("policy", StorageNames.Grains)] IPersistentState<PolicyState> policy,
    IPolicyReportStore reportStore,
    IMemberSetStore memberSets,
    IDeviceCatalog catalog,
    TimeProvider time,
    ILogger<PolicyGrain> logger) : Grain, IPolicyGrain
{
    /// <summary>Devices per fan-out slice: small enough to spread over workers, large enough to keep calls few.</summary>
    internal const int FanOutSliceSize = 250;

    /// <summary>Slices delivered at once; matches the fan-out workers per silo so none waits in a queue.</summary>
    internal const int SlicesInFlight = PolicyFanOutGrain.MaxLocalWorkers;

    /// <summary>The report is written at most this often; it is rebuilt from device reports if lost.</summary>
    internal static readonly TimeSpan ReportWriteInterval = TimeSpan.FromSeconds(10);

    private readonly int[] _deviceCounts = new int[PolicyDeviceStates.Count];
    private readonly Dictionary<string, Dictionary<string, PolicyDeviceState>> _devicesByUser = new(StringComparer.OrdinalIgnoreCase);
    private readonly int[] _userCounts = new int[PolicyDeviceStates.Count];
    /// <summary>
    /// An admin call waits this long for its fan-out, then returns while the rest lands in the
    /// background: small assignments answer when done, a 100,000-device one cannot outlast the
    /// caller's timeout. The call's own work comes first and counts against the same 30 s call
    /// timeout: computing and storing a 30,000-device target set took ~10 s on a loaded 2-core
    /// machine, and 20 s of waiting on top of it timed the call out.
    /// </summary>
    internal static readonly TimeSpan DeliveryWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Tries per slice: a slice that timed out behind a busy store is usually delivered by the
    /// next try (devices ignore a policy version they already hold), so a burst of load does not
    /// leave devices waiting for the next activation or change.
    /// </summary>
    internal const int SliceAttempts = 3;

    // Deliveries run one after another, so a retraction can never overtake the delivery it undoes.
    private Task _delivery = Task.CompletedTask;
    private long _deliveryLinks;
    // A background delivery and a request may both write the policy record; one write at a time
    // keeps the storage ETag consistent.
    private readonly SemaphoreSlim _policyWrite = new(1, 1);
    private long _deliveryQueued;
    private long _deliveryDone;
    private long _deliveryFailed;
    private DateTimeOffset? _deliveryCompleted;
    private readonly Dictionary<string, PolicyDeviceStatusRow> _rows = new(StringComparer.Ordinal);
    // Devices whose row changed (or went) since the last write.
    private readonly HashSet<string> _dirtyRows = new(StringComparer.Ordinal);
    private IGrainTimer? _reportWrite;
    private DateTimeOffset _lastReportUpdate;
    // The devices the policy was last delivered to, so a change knows whom to retract it from; rows
    // of the member-set store, held here while active.
    private HashSet<string> _targets = new(StringComparer.Ordinal);
    // Devices a pending delivery still has to retract the policy from (rows too, so a delivery cut
    // short by a silo loss is finished by the next activation).
    private readonly HashSet<string> _retractions = new(StringComparer.Ordinal);
    // Targets added by ResolveDeviceAsync that are not stored yet.
    private readonly HashSet<string> _unsavedTargets = new(StringComparer.Ordinal);

    private string TenantId => GrainKeys.Split(this.GetPrimaryKeyString()).TenantId;

    private string PolicyId => GrainKeys.Split(this.GetPrimaryKeyString()).Id;

    private PolicyDefinition Current => policy.State.Current ?? throw new NotFoundException($"No policy with id '{PolicyId}' exists in this tenant.");

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var row in await reportStore.LoadAsync(TenantId, PolicyId, cancellationToken))
        {
            _rows[row.DeviceId] = row;
            Count(row, +1);
        }

        if (policy.State.Current is null)
        {
            return;
        }

        _targets.UnionWith(await memberSets.LoadAsync(TenantId, MemberSets.PolicyTargets(PolicyId), cancellationToken));
        _retractions.UnionWith(await memberSets.LoadAsync(TenantId, MemberSets.PolicyRetractions(PolicyId), cancellationToken));
        if (policy.State.DeliveryPending && policy.State.Current is { } current)
        {
            // The last change may not have reached every device: deliver again (devices ignore a
            // version they hold) without holding up the activation.
            logger.LogWarning("Policy {PolicyId}: resuming an unfinished delivery to {Devices} devices", PolicyId, _targets.Count + _retractions.Count);
            _ = QueueDelivery(new PolicyDelivery(PolicyId, current.Kind, current), _targets.ToList(), _retractions.ToList());
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirtyRows.Count > 0)
        {
            await WriteReportAsync(cancellationToken);
        }

        if (_unsavedTargets.Count > 0 && policy.State.Current is not null)
        {
            await SaveTargetsAsync([], [], cancellationToken);
        }
    }

    public async Task<PolicyDefinition> CreateAsync(PolicyDefinition draft)
    {
        if (policy.State.Current is not null)
        {
            throw new InvalidRequestException($"A policy with id '{PolicyId}' already exists.");
        }

        Validate(draft, creating: true);
        var now = time.GetUtcNow();
        var created = draft with { Id = PolicyId, Version = 1, CreatedDateTime = now, LastModifiedDateTime = now };
        policy.State.Versions.Add(created);
        await WritePolicyAsync();
        await Tenant.UpsertPolicyAsync(CatalogEntry(created));
        return created;
    }

    public async Task<PolicyDefinition> UpdateAsync(PolicyUpdate update)
    {
        var current = Current;
        var settings = current.Settings.ToDictionary(StringComparer.Ordinal);
        foreach (var (name, value) in update.Settings)
        {
            if (value is null)
            {
                settings.Remove(name);
            }
            else
            {
                settings[name] = value;
            }
        }

        var next = current with
        {
            DisplayName = update.DisplayName ?? current.DisplayName,
            Description = update.Description ?? current.Description,
            Settings = settings,
            ScheduledActions = update.ScheduledActions ?? current.ScheduledActions,
            Version = current.Version + 1,
            LastModifiedDateTime = time.GetUtcNow(),
        };
        Validate(next, creating: update.ScheduledActions is not null);
        policy.State.Versions.Add(next);
        policy.State.DeliveryPending |= _targets.Count > 0;
        await WritePolicyAsync();
        await Tenant.UpsertPolicyAsync(CatalogEntry(next));
        await WaitBoundedAsync(QueueDelivery(new PolicyDelivery(PolicyId, next.Kind, next), _targets.ToList(), []));
        return next;
    }

    public Task<PolicyDefinition?> GetAsync() => Task.FromResult(policy.State.Current);

    public async Task DeleteAsync()
    {
        var current = Current;
        // Deleting forgets the policy, so the retraction must have landed first: this one waits.
        await QueueDelivery(new PolicyDelivery(PolicyId, current.Kind, current), [], _targets.ToList());
        await SetGroupTargetingAsync(GroupIds(policy.State.Assignments), targets: false);
        await Tenant.RemovePolicyAsync(PolicyId);
        // Rows before the record: a failure in between leaves a policy without targets, not rows without a policy.
        await memberSets.DeleteAllAsync(TenantId, MemberSets.PolicyTargets(PolicyId));
        await memberSets.DeleteAllAsync(TenantId, MemberSets.PolicyRetractions(PolicyId));
        _targets.Clear();
        _retractions.Clear();
        _unsavedTargets.Clear();
        await policy.ClearStateAsync();
        _reportWrite?.Dispose();
        _reportWrite = null;
        _dirtyRows.Clear();
        await reportStore.DeleteAllAsync(TenantId, PolicyId);
        DeactivateOnIdle();
    }

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

        var previousGroups = GroupIds(policy.State.Assignments);
        policy.State.Assignments = targets
            .Distinct()
            .Select(t => new PolicyAssignment(AssignmentId(t), t))
            .ToList();
        var groups = GroupIds(policy.State.Assignments);
        await WritePolicyAsync();
        await SetGroupTargetingAsync(previousGroups.Except(groups), targets: false);
        await SetGroupTargetingAsync(groups.Except(previousGroups), targets: true);
        await Tenant.UpsertPolicyAsync(CatalogEntry(current));
        await RecomputeTargetsAsync();
        return policy.State.Assignments;
    }

    public Task<IReadOnlyList<PolicyAssignment>> GetAssignmentsAsync()
    {
        _ = Current;
        return Task.FromResult<IReadOnlyList<PolicyAssignment>>(policy.State.Assignments);
    }

    public async Task RecomputeTargetsAsync()
    {
        var current = policy.State.Current;
        if (current is null)
        {
            return;
        }

        var targets = await ComputeTargetsAsync();
        var removed = _targets.Where(d => !targets.Contains(d)).ToList();
        var added = targets.Where(d => !_targets.Contains(d)).ToList();
        if (removed.Count == 0 && added.Count == 0)
        {
            return;
        }

        var newRetractions = removed.Where(d => !_retractions.Contains(d)).ToList();
        var undoneRetractions = added.Where(_retractions.Contains).ToList();
        _targets = targets;
        _retractions.UnionWith(removed);
        _retractions.ExceptWith(added);
        // The pending mark first: if the rows then fail to land, the next activation still re-delivers.
        policy.State.DeliveryPending = true;
        await WritePolicyAsync();
        await memberSets.SaveAsync(TenantId, MemberSets.PolicyRetractions(PolicyId), newRetractions, undoneRetractions);
        await SaveTargetsAsync(added, removed);
        logger.LogInformation("Policy {PolicyId}: delivering to {Added} devices, retracting from {Removed}", PolicyId, added.Count, removed.Count);
        await WaitBoundedAsync(QueueDelivery(new PolicyDelivery(PolicyId, current.Kind, current), added, removed));
    }

    public Task<PolicyDeliveryProgress> GetDeliveryProgressAsync() =>
        Task.FromResult(new PolicyDeliveryProgress(_deliveryQueued, _deliveryDone, _deliveryFailed, _deliveryCompleted));

    public async Task<PolicyDefinition?> ResolveDeviceAsync(string deviceId, string? userPrincipalName)
    {
        var current = policy.State.Current;
        if (current is null || policy.State.Assignments.Count == 0)
        {
            return null;
        }

        bool deviceIncluded = false, deviceExcluded = false, userIncluded = false, userExcluded = false;
        foreach (var assignment in policy.State.Assignments)
        {
            var target = assignment.Target;
            switch (target.Kind)
            {
                case AssignmentTargetKind.AllDevices:
                    deviceIncluded = true;
                    break;
                case AssignmentTargetKind.AllLicensedUsers:
                    userIncluded |= userPrincipalName is not null;
                    break;
                default:
                    var (device, user) = await GrainFactory.GetGrain<IGroupGrain>(GrainKeys.Scoped(TenantId, target.GroupId!)).ContainsAsync(deviceId, userPrincipalName);
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

        // Exclusion beats inclusion only within the same kind of group (docs/architecture.md §9).
        if ((deviceIncluded && !deviceExcluded) || (userIncluded && !userExcluded))
        {
            // Not written here (this call interleaves with writes): the next write or deactivation persists it.
            if (_targets.Add(deviceId))
            {
                _unsavedTargets.Add(deviceId);
            }

            return policy.State.Current;
        }

        return null;
    }

    public Task ReportStatusAsync(PolicyStatusReport status)
    {
        if (_rows.Remove(status.DeviceId, out var previous))
        {
            Count(previous, -1);
        }

        if (status.State is { } state)
        {
            var row = new PolicyDeviceStatusRow(status.DeviceId, status.DeviceName, status.DeviceModel, status.UserPrincipalName, state, status.GracePeriodExpiration, status.LastReportedDateTime);
            _rows[status.DeviceId] = row;
            Count(row, +1);
        }

        _dirtyRows.Add(status.DeviceId);

        _lastReportUpdate = time.GetUtcNow();
        _reportWrite ??= ScheduleReportWrite();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PolicyDeviceStatusRow>> GetDeviceStatusesAsync() =>
        Task.FromResult<IReadOnlyList<PolicyDeviceStatusRow>>(_rows.Values.OrderBy(r => r.DeviceId, StringComparer.Ordinal).ToList());

    public Task<PolicyOverview> GetDeviceOverviewAsync() => Task.FromResult(Overview(_deviceCounts));

    public Task<IReadOnlyList<PolicyUserStatusRow>> GetUserStatusesAsync() =>
        Task.FromResult<IReadOnlyList<PolicyUserStatusRow>>(_devicesByUser
            .OrderBy(u => u.Key, StringComparer.OrdinalIgnoreCase)
            .Select(u => new PolicyUserStatusRow(
                u.Key,
                u.Value.Values.Worst(),
                u.Value.Count,
                u.Value.Keys.Max(d => _rows.TryGetValue(d, out var row) ? row.LastReportedDateTime : default)))
            .ToList());

    public Task<PolicyOverview> GetUserOverviewAsync() => Task.FromResult(Overview(_userCounts));

    public Task<int> GetTargetedDeviceCountAsync() => Task.FromResult(_targets.Count);

    private ITenantComplianceGrain Tenant => GrainFactory.GetGrain<ITenantComplianceGrain>(TenantId);

    // The callback disposes its own one-shot timer first, which cancels the timer's token: the
    // write must not take that token or it never happens.
    private IGrainTimer ScheduleReportWrite() =>
        this.RegisterGrainTimer(_ => WriteReportAsync(CancellationToken.None), ReportWriteInterval, Timeout.InfiniteTimeSpan);

    /// <summary>Writes the rows that changed since the last write; on failure they stay pending for the next one.</summary>
    private async Task WriteReportAsync(CancellationToken cancellationToken)
    {
        _reportWrite?.Dispose();
        _reportWrite = null;
        var changed = _dirtyRows.ToList();
        _dirtyRows.Clear();
        var upserts = changed.Where(_rows.ContainsKey).Select(id => _rows[id]).ToList();
        var removals = changed.Where(id => !_rows.ContainsKey(id)).ToList();
        try
        {
            await reportStore.SaveAsync(TenantId, PolicyId, upserts, removals, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _dirtyRows.UnionWith(changed);
            _reportWrite ??= ScheduleReportWrite();
            logger.LogWarning(ex, "Policy {PolicyId}: writing {Rows} report rows failed; retrying", PolicyId, changed.Count);
        }
    }

    /// <summary>Moves the device and user counters for one row in or out of the report.</summary>
    private void Count(PolicyDeviceStatusRow row, int delta)
    {
        _deviceCounts[(int)row.State] += delta;
        if (row.UserPrincipalName is not { } upn)
        {
            return;
        }

        if (_devicesByUser.TryGetValue(upn, out var devices))
        {
            _userCounts[(int)devices.Values.Worst()]--;
        }
        else
        {
            devices = _devicesByUser[upn] = [];
        }

        if (delta > 0)
        {
            devices[row.DeviceId] = row.State;
        }
        else
        {
            devices.Remove(row.DeviceId);
        }

        if (devices.Count == 0)
        {
            _devicesByUser.Remove(upn);
        }
        else
        {
            _userCounts[(int)devices.Values.Worst()]++;
        }
    }

    private PolicyOverview Overview(int[] counts) => new(
        PendingCount: counts[(int)PolicyDeviceState.Unknown],
        NotApplicableCount: counts[(int)PolicyDeviceState.NotApplicable],
        SuccessCount: counts[(int)PolicyDeviceState.Compliant] + counts[(int)PolicyDeviceState.Remediated],
        ErrorCount: counts[(int)PolicyDeviceState.Error],
        FailedCount: counts[(int)PolicyDeviceState.NonCompliant] + counts[(int)PolicyDeviceState.InGracePeriod],
        ConflictCount: counts[(int)PolicyDeviceState.Conflict],
        ConfigurationVersion: policy.State.Current?.Version ?? 0,
        LastUpdateDateTime: _lastReportUpdate);

    /// <summary>
    /// Who the assignments reach: (device-kind inclusions − device-kind exclusions) ∪
    /// (user-kind inclusions − user-kind exclusions), as device ids.
    /// </summary>
    private async Task<HashSet<string>> ComputeTargetsAsync()
    {
        var assignments = policy.State.Assignments;
        var includeDevices = new HashSet<string>(StringComparer.Ordinal);
        var excludeDevices = new HashSet<string>(StringComparer.Ordinal);
        var includeUsers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var excludeUsers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var allDevices = assignments.Any(a => a.Target.Kind == AssignmentTargetKind.AllDevices);
        var allUsers = assignments.Any(a => a.Target.Kind == AssignmentTargetKind.AllLicensedUsers);
        foreach (var assignment in assignments.Where(a => a.Target.GroupId is not null))
        {
            var members = await GrainFactory.GetGrain<IGroupGrain>(GrainKeys.Scoped(TenantId, assignment.Target.GroupId!)).GetMembersAsync();
            var include = assignment.Target.Kind == AssignmentTargetKind.Group;
            (include ? includeDevices : excludeDevices).UnionWith(members.Devices);
            (include ? includeUsers : excludeUsers).UnionWith(members.Users);
        }

        // "All devices" and "all licensed users" need every device: only then is the device catalog
        // (a storage projection) read. Users named by groups bring their own device lists (User grains).
        var devicesByUser = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        var everyDevice = new List<string>();
        if (!allDevices && !allUsers)
        {
            foreach (var (upn, devices) in await UserDevicesAsync(includeUsers.Except(excludeUsers, StringComparer.OrdinalIgnoreCase).ToList()))
            {
                devicesByUser[upn] = devices;
            }
        }
        else
        {
            string? continuation = null;
            do
            {
                var page = await catalog.ListAsync(TenantId, 1000, continuation);
                foreach (var device in page.Devices)
                {
                    everyDevice.Add(device.Id);
                    if (device.UserPrincipalName is { } upn)
                    {
                        if (!devicesByUser.TryGetValue(upn, out var list))
                        {
                            list = devicesByUser[upn] = [];
                        }

                        list.Add(device.Id);
                    }
                }

                continuation = page.ContinuationToken;
            }
            while (continuation is not null);
        }

        var result = new HashSet<string>(StringComparer.Ordinal);
        if (allDevices)
        {
            result.UnionWith(everyDevice);
        }

        result.UnionWith(includeDevices);
        result.ExceptWith(excludeDevices);

        var userKind = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (upn, devices) in devicesByUser)
        {
            if ((allUsers || includeUsers.Contains(upn)) && !excludeUsers.Contains(upn))
            {
                userKind.UnionWith(devices);
            }
        }

        result.UnionWith(userKind);
        return result;
    }

    /// <summary>The devices of each user, from the users' own grains: all slices of users read in parallel.</summary>
    private async Task<IEnumerable<(string Upn, List<string> Devices)>> UserDevicesAsync(IReadOnlyList<string> userPrincipalNames)
    {
        var slices = await Task.WhenAll(userPrincipalNames.Chunk(FanOutSliceSize).Select(slice => Task.WhenAll(slice.Select(async upn =>
            (Upn: upn, Devices: (await GrainFactory.GetGrain<IUserGrain>(UserDevices.Key(TenantId, upn)).GetDeviceIdsAsync()).ToList())))));
        return slices.SelectMany(s => s);
    }

    /// <summary>
    /// Queues the delivery of <paramref name="delivery"/> to <paramref name="deliverTo"/> and the
    /// retraction from <paramref name="retractFrom"/> behind any delivery still running, in slices
    /// that stateless workers carry out in parallel. The returned task ends when this one has landed.
    /// </summary>
    private Task QueueDelivery(PolicyDelivery delivery, IReadOnlyList<string> deliverTo, IReadOnlyList<string> retractFrom)
    {
        if (deliverTo.Count + retractFrom.Count == 0)
        {
            return _delivery;
        }

        _deliveryQueued += deliverTo.Count + retractFrom.Count;
        _deliveryCompleted = null;
        var previous = _delivery;
        var retraction = delivery with { Definition = null };
        var link = ++_deliveryLinks;
        _delivery = RunAsync();
        return _delivery;

        async Task RunAsync()
        {
            // Links never fault (failures are counted and logged), so waiting on the previous one is safe.
            await previous;
            var failed = 0;
            // At most SlicesInFlight slices at once: sent all together, the later ones waited in the
            // stateless workers' queues past the 30 s call timeout and were dropped (measured: a
            // 10,000-device assignment on Azurite).
            using var inFlight = new SemaphoreSlim(SlicesInFlight);
            await Task.WhenAll(
                deliverTo.Chunk(FanOutSliceSize).Select(slice => BoundedAsync(delivery, slice))
                    .Concat(retractFrom.Chunk(FanOutSliceSize).Select(slice => BoundedAsync(retraction, slice))));

            async Task BoundedAsync(PolicyDelivery change, string[] slice)
            {
                await inFlight.WaitAsync();
                try
                {
                    await SliceAsync(change, slice);
                }
                finally
                {
                    inFlight.Release();
                }
            }
            // Only the last link clears the mark: an earlier one finishing says nothing of later changes.
            if (failed == 0 && link == _deliveryLinks && policy.State.DeliveryPending && policy.State.Current is not null)
            {
                policy.State.DeliveryPending = false;
                var retracted = _retractions.ToList();
                _retractions.Clear();
                try
                {
                    // Rows before the mark: a failure in between re-delivers to the targets, which devices ignore.
                    await memberSets.SaveAsync(TenantId, MemberSets.PolicyRetractions(PolicyId), [], retracted);
                    await WritePolicyAsync();
                }
                catch (Exception ex)
                {
                    // The mark stays set in storage: a later activation re-delivers, which devices ignore.
                    logger.LogWarning(ex, "Policy {PolicyId}: could not record the finished delivery", PolicyId);
                }
            }

            if (_deliveryDone + _deliveryFailed >= _deliveryQueued)
            {
                _deliveryCompleted = time.GetUtcNow();
            }

            async Task SliceAsync(PolicyDelivery change, string[] slice)
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await GrainFactory.GetGrain<IPolicyFanOutGrain>(0).DeliverAsync(TenantId, change, slice);
                        _deliveryDone += slice.Length;
                        return;
                    }
                    catch (Exception ex) when (attempt < SliceAttempts)
                    {
                        logger.LogWarning(ex, "Policy {PolicyId}: delivery to a slice of {Devices} devices failed (try {Attempt} of {Attempts}); trying again", PolicyId, slice.Length, attempt, SliceAttempts);
                    }
                    catch (Exception ex)
                    {
                        // Left pending: the next activation or change delivers again; devices ignore what they hold.
                        failed++;
                        _deliveryFailed += slice.Length;
                        logger.LogError(ex, "Policy {PolicyId}: delivery to a slice of {Devices} devices failed after {Attempts} tries", PolicyId, slice.Length, SliceAttempts);
                        return;
                    }
                }
            }
        }
    }

    /// <summary>Stores target changes, with the targets ResolveDeviceAsync added since the last store.</summary>
    private async Task SaveTargetsAsync(IReadOnlyCollection<string> added, IReadOnlyCollection<string> removed, CancellationToken cancellationToken = default)
    {
        var unsaved = _unsavedTargets.Where(_targets.Contains).ToList();
        _unsavedTargets.Clear();
        try
        {
            await memberSets.SaveAsync(TenantId, MemberSets.PolicyTargets(PolicyId), added.Concat(unsaved).Distinct(StringComparer.Ordinal).ToList(), removed, cancellationToken);
        }
        catch
        {
            _unsavedTargets.UnionWith(unsaved);
            throw;
        }
    }

    private async Task WritePolicyAsync(CancellationToken cancellationToken = default)
    {
        await _policyWrite.WaitAsync(cancellationToken);
        try
        {
            await policy.WriteStateAsync(cancellationToken);
        }
        finally
        {
            _policyWrite.Release();
        }
    }

    /// <summary>Waits for a queued delivery up to <see cref="DeliveryWait"/>; past that it finishes in the background.</summary>
    private async Task WaitBoundedAsync(Task delivery)
    {
        try
        {
            await delivery.WaitAsync(DeliveryWait, time);
        }
        catch (TimeoutException)
        {
            logger.LogInformation("Policy {PolicyId}: delivery continues in the background ({Done} of {Queued} devices so far)", PolicyId, _deliveryDone, _deliveryQueued);
        }
    }

    private Task SetGroupTargetingAsync(IEnumerable<string> groupIds, bool targets) =>
        Task.WhenAll(groupIds.Select(g => GrainFactory.GetGrain<IGroupGrain>(GrainKeys.Scoped(TenantId, g)).SetPolicyTargetingAsync(PolicyId, targets)));

    private static HashSet<string> GroupIds(IEnumerable<PolicyAssignment> assignments) =>
        assignments.Where(a => a.Target.GroupId is not null).Select(a => a.Target.GroupId!).ToHashSet(StringComparer.Ordinal);

    private PolicyCatalogEntry CatalogEntry(PolicyDefinition definition) =>
        new(PolicyId, definition.Kind, definition.ODataType, definition.Version, policy.State.Assignments.Count > 0);

    private string AssignmentId(AssignmentTarget target) =>
        $"{PolicyId}_{target.Kind}_{target.GroupId ?? "all"}";

    internal static void Validate(PolicyDefinition definition, bool creating)
    {
        var schema = PolicySchemas.Find(definition.ODataType)
            ?? throw new InvalidRequestException($"'{definition.ODataType}' is not a supported policy type.");
        if (schema.Kind != definition.Kind)
        {
            throw new InvalidRequestException($"'{definition.ODataType}' is not a {definition.Kind.ToString().ToLowerInvariant()} policy type.");
        }

        if (string.IsNullOrWhiteSpace(definition.DisplayName))
        {
            throw new InvalidRequestException("displayName is required.");
        }

        if (definition.Settings.Keys.FirstOrDefault(k => schema.Find(k) is null) is { } unknown)
        {
            throw new InvalidRequestException($"'{unknown}' is not a property of {definition.ODataType}.");
        }

        if (definition.Kind != PolicyKind.Compliance)
        {
            return;
        }

        var actions = definition.ScheduledActions.SelectMany(r => r.Actions).ToList();
        if (creating && actions.Count(a => a.ActionType == ComplianceActionType.Block) != 1)
        {
            throw new InvalidRequestException("Compliance policy must have one and only one block scheduled action");
        }

        if (actions.FirstOrDefault(a => a.GracePeriodHours is < 0 or > 8760) is { } bad)
        {
            throw new InvalidRequestException($"gracePeriodHours must be between 0 and 8760; got {bad.GracePeriodHours}.");
        }
    }
}
