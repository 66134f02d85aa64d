using Intune.AdminGateway.Audit;
using Intune.Grains.Tenants;
using Intune.Routing;

namespace Intune.AdminGateway.Resources.TenantSettings;

/// <summary>
/// The tenant's compliance settings (check-in threshold, secure by default, scheduled actions),
/// validated by the tenant grain (1–120 check-in days); REST and gRPC both call this.
/// </summary>
public sealed class TenantSettingsService(IScaleUnitRouter router)
{
    public async Task<ComplianceSettings> GetAsync(string tenantId) => await (await TenantAsync(tenantId)).GetSettingsAsync();

    /// <summary>Changes the given settings; null leaves one as it is.</summary>
    public async Task<ComplianceSettings> UpdateAsync(string tenantId, int? checkinThresholdDays, bool? secureByDefault, bool? scheduledActionsEnabled, AuditRecorder audit)
    {
        var tenant = await TenantAsync(tenantId);
        var before = await tenant.GetSettingsAsync();
        var after = await tenant.UpdateSettingsAsync(checkinThresholdDays, secureByDefault, scheduledActionsEnabled);
        audit.AddResource("DeviceManagement", tenantId, tenantId, before, after);
        return after;
    }

    private async Task<ITenantComplianceGrain> TenantAsync(string tenantId) =>
        (await router.ForTenantAsync(tenantId)).GetGrain<ITenantComplianceGrain>(tenantId);
}
