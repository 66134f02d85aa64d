using Intune.Grains.Errors;
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
        if (State.Policies.TryGetValue(entry.PolicyId, out var existing) && existing == entry)
        {
            return;
        }

        State.Policies[entry.PolicyId] = entry;
        if (existing?.Assignments is { Count: > 0 } || entry.Assignments is { Count: > 0 })
        {
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
            await SaveDeliveryChangeAsync();
        }
        else
        {
            await SaveAsync();
        }
    }

    public Task<IReadOnlyList<PolicyCatalogEntry>> ListPoliciesAsync(PolicyKind kind) =>
        Task.FromResult<IReadOnlyList<PolicyCatalogEntry>>(State.Policies.Values.Where(p => p.Kind == kind).OrderBy(p => p.PolicyId, StringComparer.Ordinal).ToList());

    public async Task AddGroupAsync(string groupId, string displayName)
    {
        State.Groups[groupId] = displayName;
        await SaveAsync();
    }

    public async Task RemoveGroupAsync(string groupId)
    {
        if (State.Groups.Remove(groupId))
        {
            State.GroupVersions.Remove(groupId);
            await SaveAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListGroupsAsync() =>
        Task.FromResult<IReadOnlyList<string>>(State.Groups.Keys.Order(StringComparer.Ordinal).ToList());

    public async Task RequestRetireAsync(RetireRequest request)
    {
        if (State.RetireRequests.TryGetValue(request.DeviceId, out var existing) && existing.State == RetireRequestState.Pending)
        {
            return;
        }

        State.RetireRequests[request.DeviceId] = request with { State = RetireRequestState.Pending, DecidedDateTime = null };
        await SaveAsync();
    }

    public Task<IReadOnlyList<RetireRequest>> ListRetireRequestsAsync() =>
        Task.FromResult<IReadOnlyList<RetireRequest>>(State.RetireRequests.Values.OrderBy(r => r.RequestedDateTime).ToList());

    public async Task<bool> DecideRetireAsync(string deviceId, bool confirm)
    {
        if (!State.RetireRequests.TryGetValue(deviceId, out var request) || request.State != RetireRequestState.Pending)
        {
            return false;
        }

        State.RetireRequests[deviceId] = request with
        {
            State = confirm ? RetireRequestState.Confirmed : RetireRequestState.Dismissed,
            DecidedDateTime = time.GetUtcNow(),
        };
        await SaveAsync();
        return true;
    }
}
