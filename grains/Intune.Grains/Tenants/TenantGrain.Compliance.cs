using Intune.Grains.Devices;
using Intune.Grains.Errors;
using Intune.Grains.Policies;
using Microsoft.Extensions.DependencyInjection;

namespace Intune.Grains.Tenants;

/// <summary>
/// The tenant's compliance side: settings, the policy and group catalog and the retire list.
/// Listing policies reads this catalog only, never devices.
/// </summary>
internal sealed partial class TenantGrain : ITenantComplianceGrain
{
    private const int SettingsFanOutSlice = 250;

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

        State.ComplianceSettings = next;
        await SaveAsync();

        // Devices hold their own copy so check-ins never call the tenant; a change reaches all of
        // them in parallel slices, read from the device catalog projection.
        string? continuation = null;
        var slices = new List<Task>();
        do
        {
            var page = await ServiceProvider.GetRequiredService<IDeviceCatalog>().ListAsync(TenantId, 1000, continuation);
            foreach (var slice in page.Devices.Chunk(SettingsFanOutSlice))
            {
                slices.Add(Task.WhenAll(slice.Select(d => GrainFactory.GetGrain<IDeviceComplianceGrain>(GrainKeys.Scoped(TenantId, d.Id)).ApplySettingsAsync(next))));
            }

            continuation = page.ContinuationToken;
        }
        while (continuation is not null);
        await Task.WhenAll(slices);
        return next;
    }

    public Task<DeviceBootstrap> GetDeviceBootstrapAsync() =>
        Task.FromResult(new DeviceBootstrap(Settings, State.Policies.Values.Where(p => p.HasAssignments).Select(p => p.PolicyId).ToList()));

    public async Task UpsertPolicyAsync(PolicyCatalogEntry entry)
    {
        if (State.Policies.TryGetValue(entry.PolicyId, out var existing) && existing == entry)
        {
            return;
        }

        State.Policies[entry.PolicyId] = entry;
        await SaveAsync();
    }

    public async Task RemovePolicyAsync(string policyId)
    {
        if (State.Policies.Remove(policyId))
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
