using Intune.Grains.Devices;
using Intune.Grains.Groups;
using Intune.Grains.Tenants;
using Intune.Grains.Users;
using Microsoft.Extensions.Logging;

namespace Intune.Grains.Policies;

/// <summary>
/// A compliance policy or configuration profile (ARCHITECTURE.md §2, Policy grain). Admin
/// changes make a new immutable version and reach the targeted devices by partitioned, parallel
/// fan-out; devices report their status back and the report's counters move with each report.
/// </summary>
internal sealed class PolicyGrain(
    [PersistentState("policy", StorageNames.Grains)] IPersistentState<PolicyState> policy,
    [PersistentState("policyReport", StorageNames.Grains)] IPersistentState<PolicyReportState> report,
    IDeviceCatalog catalog,
    TimeProvider time,
    ILogger<PolicyGrain> logger) : Grain, IPolicyGrain
{
    /// <summary>Devices per fan-out slice: small enough to spread over workers, large enough to keep calls few.</summary>
    internal const int FanOutSliceSize = 250;

    /// <summary>The report is written at most this often; it is rebuilt from device reports if lost.</summary>
    internal static readonly TimeSpan ReportWriteInterval = TimeSpan.FromSeconds(10);

    private readonly int[] _deviceCounts = new int[PolicyDeviceStates.Count];
    private readonly Dictionary<string, Dictionary<string, PolicyDeviceState>> _devicesByUser = new(StringComparer.OrdinalIgnoreCase);
    private readonly int[] _userCounts = new int[PolicyDeviceStates.Count];
    private IGrainTimer? _reportWrite;
    private DateTimeOffset _lastReportUpdate;
    private bool _targetsDirty;

    private string TenantId => GrainKeys.Split(this.GetPrimaryKeyString()).TenantId;

    private string PolicyId => GrainKeys.Split(this.GetPrimaryKeyString()).Id;

    private PolicyDefinition Current => policy.State.Current ?? throw new ObjectNotFoundException($"No policy with id '{PolicyId}' exists in this tenant.");

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var row in report.State.Devices.Values)
        {
            Count(row, +1);
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_reportWrite is not null)
        {
            await report.WriteStateAsync(cancellationToken);
        }

        if (_targetsDirty && policy.State.Current is not null)
        {
            await policy.WriteStateAsync(cancellationToken);
        }
    }

    public async Task<PolicyDefinition> CreateAsync(PolicyDefinition draft)
    {
        if (policy.State.Current is not null)
        {
            throw new PolicyValidationException($"A policy with id '{PolicyId}' already exists.");
        }

        Validate(draft, creating: true);
        var now = time.GetUtcNow();
        var created = draft with { Id = PolicyId, Version = 1, CreatedDateTime = now, LastModifiedDateTime = now };
        policy.State.Versions.Add(created);
        await policy.WriteStateAsync();
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
        await policy.WriteStateAsync();
        await Tenant.UpsertPolicyAsync(CatalogEntry(next));
        await DeliverAsync(new PolicyDelivery(PolicyId, next.Kind, next), policy.State.TargetedDevices.ToList());
        return next;
    }

    public Task<PolicyDefinition?> GetAsync() => Task.FromResult(policy.State.Current);

    public async Task DeleteAsync()
    {
        var current = Current;
        await DeliverAsync(new PolicyDelivery(PolicyId, current.Kind, null), policy.State.TargetedDevices.ToList());
        await SetGroupTargetingAsync(GroupIds(policy.State.Assignments), targets: false);
        await Tenant.RemovePolicyAsync(PolicyId);
        await policy.ClearStateAsync();
        await report.ClearStateAsync();
        _reportWrite?.Dispose();
        _reportWrite = null;
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
                    throw new ObjectNotFoundException($"No group with id '{target.GroupId}' exists in this tenant.");
                }
            }
        }

        var previousGroups = GroupIds(policy.State.Assignments);
        policy.State.Assignments = targets
            .Distinct()
            .Select(t => new PolicyAssignment(AssignmentId(t), t))
            .ToList();
        var groups = GroupIds(policy.State.Assignments);
        await policy.WriteStateAsync();
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
        var removed = policy.State.TargetedDevices.Where(d => !targets.Contains(d)).ToList();
        var added = targets.Where(d => !policy.State.TargetedDevices.Contains(d)).ToList();
        if (removed.Count == 0 && added.Count == 0)
        {
            return;
        }

        policy.State.TargetedDevices = targets;
        await policy.WriteStateAsync();
        logger.LogInformation("Policy {PolicyId}: delivering to {Added} devices, retracting from {Removed}", PolicyId, added.Count, removed.Count);
        await Task.WhenAll(
            DeliverAsync(new PolicyDelivery(PolicyId, current.Kind, current), added),
            DeliverAsync(new PolicyDelivery(PolicyId, current.Kind, null), removed));
    }

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

        // Exclusion beats inclusion only within the same kind of group (GRAPH.md §3).
        if ((deviceIncluded && !deviceExcluded) || (userIncluded && !userExcluded))
        {
            // Not written here (this call interleaves with writes): the next write or deactivation persists it.
            _targetsDirty |= policy.State.TargetedDevices.Add(deviceId);
            return policy.State.Current;
        }

        return null;
    }

    public Task ReportStatusAsync(PolicyStatusReport status)
    {
        if (report.State.Devices.Remove(status.DeviceId, out var previous))
        {
            Count(previous, -1);
        }

        if (status.State is { } state)
        {
            var row = new PolicyDeviceStatusRow(status.DeviceId, status.DeviceName, status.DeviceModel, status.UserPrincipalName, state, status.GracePeriodExpiration, status.LastReportedDateTime);
            report.State.Devices[status.DeviceId] = row;
            Count(row, +1);
        }

        _lastReportUpdate = time.GetUtcNow();
        _reportWrite ??= this.RegisterGrainTimer(WriteReportAsync, ReportWriteInterval, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PolicyDeviceStatusRow>> GetDeviceStatusesAsync() =>
        Task.FromResult<IReadOnlyList<PolicyDeviceStatusRow>>(report.State.Devices.Values.OrderBy(r => r.DeviceId, StringComparer.Ordinal).ToList());

    public Task<PolicyOverview> GetDeviceOverviewAsync() => Task.FromResult(Overview(_deviceCounts));

    public Task<IReadOnlyList<PolicyUserStatusRow>> GetUserStatusesAsync() =>
        Task.FromResult<IReadOnlyList<PolicyUserStatusRow>>(_devicesByUser
            .OrderBy(u => u.Key, StringComparer.OrdinalIgnoreCase)
            .Select(u => new PolicyUserStatusRow(
                u.Key,
                u.Value.Values.Worst(),
                u.Value.Count,
                u.Value.Keys.Max(d => report.State.Devices.TryGetValue(d, out var row) ? row.LastReportedDateTime : default)))
            .ToList());

    public Task<PolicyOverview> GetUserOverviewAsync() => Task.FromResult(Overview(_userCounts));

    public Task<int> GetTargetedDeviceCountAsync() => Task.FromResult(policy.State.TargetedDevices.Count);

    private ITenantComplianceGrain Tenant => GrainFactory.GetGrain<ITenantComplianceGrain>(TenantId);

    private async Task WriteReportAsync(CancellationToken cancellationToken)
    {
        _reportWrite?.Dispose();
        _reportWrite = null;
        await report.WriteStateAsync(cancellationToken);
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

    /// <summary>Partitions the devices into slices and delivers all slices in parallel through stateless workers.</summary>
    private Task DeliverAsync(PolicyDelivery delivery, IReadOnlyList<string> deviceIds) =>
        Task.WhenAll(deviceIds.Chunk(FanOutSliceSize)
            .Select(slice => GrainFactory.GetGrain<IPolicyFanOutGrain>(0).DeliverAsync(TenantId, delivery, slice)));

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
            ?? throw new PolicyValidationException($"'{definition.ODataType}' is not a supported policy type.");
        if (schema.Kind != definition.Kind)
        {
            throw new PolicyValidationException($"'{definition.ODataType}' is not a {definition.Kind.ToString().ToLowerInvariant()} policy type.");
        }

        if (string.IsNullOrWhiteSpace(definition.DisplayName))
        {
            throw new PolicyValidationException("displayName is required.");
        }

        if (definition.Settings.Keys.FirstOrDefault(k => schema.Find(k) is null) is { } unknown)
        {
            throw new PolicyValidationException($"'{unknown}' is not a property of {definition.ODataType}.");
        }

        if (definition.Kind != PolicyKind.Compliance)
        {
            return;
        }

        var actions = definition.ScheduledActions.SelectMany(r => r.Actions).ToList();
        if (creating && actions.Count(a => a.ActionType == ComplianceActionType.Block) != 1)
        {
            throw new PolicyValidationException("Compliance policy must have one and only one block scheduled action");
        }

        if (actions.FirstOrDefault(a => a.GracePeriodHours is < 0 or > 8760) is { } bad)
        {
            throw new PolicyValidationException($"gracePeriodHours must be between 0 and 8760; got {bad.GracePeriodHours}.");
        }
    }
}
