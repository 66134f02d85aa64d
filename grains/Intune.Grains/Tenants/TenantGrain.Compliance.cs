using Intune.Grains.Durability;
using Intune.Grains.Errors;
using Intune.Grains.Groups;
using Intune.Grains.Policies;

namespace Intune.Grains.Tenants;

/// <summary>
/// The tenant's compliance side: settings, the policy and group catalog and the retire list.
/// Listing policies reads this catalog only, never devices.
/// </summary>
internal sealed partial class TenantGrain : ITenantComplianceGrain
{
    private ComplianceSettings Settings => State.ComplianceSettings ?? ComplianceSettings.Default;

    public Task<ComplianceSettings> GetSettingsAsync() => Task.FromResult(Settings);

    public async Task<ComplianceSettings> UpdateSettingsAsync(int? thresholdDays, bool? secureByDefault, bool? isScheduledActionEnabled)
    {
        if (thresholdDays is < ComplianceSettings.MinimumThresholdDays or > ComplianceSettings.MaximumThresholdDays)
        {
            throw new InvalidRequestException(
                $"deviceComplianceCheckinThresholdDays must be between {ComplianceSettings.MinimumThresholdDays} and {ComplianceSettings.MaximumThresholdDays}; got {thresholdDays}.");
        }

        var next = Settings with
        {
            DeviceComplianceCheckinThresholdDays = thresholdDays ?? Settings.DeviceComplianceCheckinThresholdDays,
            SecureByDefault = secureByDefault ?? Settings.SecureByDefault,
            IsScheduledActionEnabled = isScheduledActionEnabled ?? Settings.IsScheduledActionEnabled,
        };
        if (next == Settings)
        {
            return next;
        }

        // Devices pick the settings up at check-in (or at their next deadline), as assignments.
        State.ComplianceSettings = next;
        await SaveDeliveryChangeAsync();
        return next;
    }

    public async Task UpsertPolicyAsync(PolicyCatalogEntry entry)
    {
        var found = State.Policies.TryGetValue(entry.PolicyId, out var existing);
        if (found && existing == entry)
        {
            return;
        }

        EnsureCatalogHasRoom(existing, entry.Assignments?.Count ?? 0);
        State.Policies[entry.PolicyId] = entry;
        if (existing?.Assignments is { Count: > 0 } || entry.Assignments is { Count: > 0 })
        {
            TrackTargetedGroups();
            await SaveDeliveryChangeAsync();
        }
        else
        {
            await SaveAsync();
        }
    }

    public async Task RemovePolicyAsync(string policyId)
    {
        if (!State.Policies.Remove(policyId, out var removed))
        {
            return;
        }

        if (removed.Assignments is { Count: > 0 })
        {
            TrackTargetedGroups();
            await SaveDeliveryChangeAsync();
        }
        else
        {
            await SaveAsync();
        }
    }

    public Task EnsureCatalogHasRoomAsync(string entryId, int assignmentTargets)
    {
        EnsureCatalogHasRoom(State.Policies.GetValueOrDefault(entryId), assignmentTargets);
        return Task.CompletedTask;
    }

    /// <summary>The catalog is part of the tenant row, which every device's delivery reads whole: bounded by <see cref="TenantLimits"/>.</summary>
    private void EnsureCatalogHasRoom(PolicyCatalogEntry? existing, int assignmentTargets)
    {
        if (existing is null && State.Policies.Count >= TenantLimits.MaxCatalogEntries)
        {
            throw new InvalidRequestException(
                $"A tenant may hold at most {TenantLimits.MaxCatalogEntries} policies, profiles, apps and app configurations together; delete one first.");
        }

        var added = assignmentTargets - (existing?.Assignments?.Count ?? 0);
        if (added > 0 && State.Policies.Values.Sum(p => p.Assignments?.Count ?? 0) + added > TenantLimits.MaxAssignmentTargets)
        {
            throw new InvalidRequestException(
                $"A tenant may hold at most {TenantLimits.MaxAssignmentTargets} assignments across its policies, profiles and apps; remove some first.");
        }
    }

    public Task<IReadOnlyList<PolicyCatalogEntry>> ListPoliciesAsync(PolicyKind kind) =>
        Task.FromResult<IReadOnlyList<PolicyCatalogEntry>>(State.Policies.Values.Where(p => p.Kind == kind).OrderBy(p => p.PolicyId, StringComparer.Ordinal).ToList());

    public Task AddGroupAsync(string groupId) =>
        memberSets.SaveAsync(TenantId, MemberSets.TenantGroups, [groupId], []);

    public async Task RemoveGroupAsync(string groupId)
    {
        await memberSets.SaveAsync(TenantId, MemberSets.TenantGroups, [], [groupId]);
        if (State.GroupVersions.Remove(groupId))
        {
            await SaveAsync();
        }
    }

    public async Task<IReadOnlyList<string>> ListGroupsAsync() =>
        (await memberSets.LoadAsync(TenantId, MemberSets.TenantGroups)).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Records a compliance action's retire or wipe for an admin to decide. False when
    /// <see cref="TenantLimits.MaxPendingRetireRequests"/> wait already: the device asks again later.
    /// </summary>
    public async Task<bool> RequestRetireAsync(RetireRequest request)
    {
        var requests = retireRequests.State.Requests;
        if (requests.TryGetValue(request.DeviceId, out var existing) && existing.State == RetireRequestState.Pending)
        {
            return true;
        }

        if (requests.Values.Count(r => r.State == RetireRequestState.Pending) >= TenantLimits.MaxPendingRetireRequests)
        {
            return false;
        }

        await SaveRetireRequestsAsync(request.DeviceId, request with { State = RetireRequestState.Pending, DecidedDateTime = null });
        return true;
    }

    public Task<IReadOnlyList<RetireRequest>> ListRetireRequestsAsync() =>
        Task.FromResult<IReadOnlyList<RetireRequest>>(retireRequests.State.Requests.Values.OrderBy(r => r.RequestedDateTime).ToList());

    public async Task<bool> DecideRetireAsync(string deviceId, bool confirm)
    {
        if (!retireRequests.State.Requests.TryGetValue(deviceId, out var request) || request.State != RetireRequestState.Pending)
        {
            return false;
        }

        await SaveRetireRequestsAsync(deviceId, request with
        {
            State = confirm ? RetireRequestState.Confirmed : RetireRequestState.Dismissed,
            DecidedDateTime = time.GetUtcNow(),
        });
        return true;
    }

    /// <summary>Stores the request, keeping the latest <see cref="TenantLimits.DecidedRetireRequestsKept"/> decided ones; memory changes once storage has.</summary>
    private async Task SaveRetireRequestsAsync(string deviceId, RetireRequest request)
    {
        var before = retireRequests.State.Requests;
        var next = new Dictionary<string, RetireRequest>(before) { [deviceId] = request };
        foreach (var old in next.Values.Where(r => r.State != RetireRequestState.Pending)
            .OrderByDescending(r => r.DecidedDateTime).Skip(TenantLimits.DecidedRetireRequestsKept).ToList())
        {
            next.Remove(old.DeviceId);
        }

        retireRequests.State.Requests = next;
        await retireRequests.WriteOrRollBackAsync(GrainContext, () => retireRequests.State.Requests = before);
    }
}
