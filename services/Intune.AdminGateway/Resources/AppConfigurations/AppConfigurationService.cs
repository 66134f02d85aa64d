using System.Text.Json.Nodes;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Limits;
using Intune.AdminGateway.Resources.Policies;
using Intune.Grains;
using Intune.Grains.Apps;
using Intune.Grains.Errors;
using Intune.Grains.Policies;
using Intune.Grains.Tenants;
using Intune.Routing;

namespace Intune.AdminGateway.Resources.AppConfigurations;

/// <summary>
/// App configurations for admins (docs/apps.md §7): the one place the fronts call. The apps a
/// configuration targets must be this tenant's apps of the configuration's platform.
/// </summary>
public sealed class AppConfigurationService(IScaleUnitRouter router)
{
    private const string ResourceType = "ManagedDeviceMobileAppConfiguration";

    public async Task<AppConfigurationDefinition> GetAsync(string tenantId, string id)
    {
        var found = Guid.TryParse(id, out _) ? await (await GrainAsync(tenantId, id)).GetAsync() : null;
        return found ?? throw new NotFoundException($"No managedDeviceMobileAppConfiguration with id '{id}' exists in this tenant.");
    }

    public async Task<IReadOnlyList<AppConfigurationDefinition>> ListAsync(string tenantId)
    {
        var grains = await router.ForTenantAsync(tenantId);
        var entries = await grains.GetGrain<ITenantComplianceGrain>(tenantId).ListPoliciesAsync(PolicyKind.AppConfiguration);
        var found = await Task.WhenAll(entries.Select(e => grains.GetGrain<IAppConfigurationGrain>(GrainKeys.Scoped(tenantId, e.PolicyId)).GetAsync()));
        return found.OfType<AppConfigurationDefinition>().ToList();
    }

    public async Task<AppConfigurationDefinition> CreateAsync(string tenantId, JsonObject body, AuditRecorder audit)
    {
        var draft = AppConfigurationGraphMapping.Read(body, existing: null);
        await CheckAsync(tenantId, draft);
        var id = Guid.NewGuid().ToString();
        var created = await (await GrainAsync(tenantId, id)).CreateAsync(draft with { Id = id });
        audit.AddResource(ResourceType, id, created.DisplayName);
        return created;
    }

    public async Task<AppConfigurationDefinition> UpdateAsync(string tenantId, string id, JsonObject body, AuditRecorder audit)
    {
        var next = AppConfigurationGraphMapping.Read(body, await GetAsync(tenantId, id));
        await CheckAsync(tenantId, next);
        var updated = await (await GrainAsync(tenantId, id)).UpdateAsync(next);
        audit.AddResource(ResourceType, id, updated.DisplayName);
        return updated;
    }

    public async Task DeleteAsync(string tenantId, string id, AuditRecorder audit)
    {
        var existing = await GetAsync(tenantId, id);
        await (await GrainAsync(tenantId, id)).DeleteAsync();
        audit.AddResource(ResourceType, id, existing.DisplayName);
    }

    public async Task<AppConfigurationDefinition> AssignAsync(string tenantId, string id, JsonObject body, AuditRecorder audit)
    {
        var existing = await GetAsync(tenantId, id);
        var assigned = await (await GrainAsync(tenantId, id)).AssignAsync(PolicyGraphMapping.ReadAssignments(body));
        audit.AddResource(ResourceType, id, existing.DisplayName);
        return assigned;
    }

    /// <summary>Texts within limits, every targeted app this tenant's and of the configuration's platform.</summary>
    private async Task CheckAsync(string tenantId, AppConfigurationDefinition definition)
    {
        InputLimits.Text(definition.DisplayName, "displayName", InputLimits.MaxDisplayName);
        InputLimits.Text(definition.Description, "description", InputLimits.MaxDescription);
        var grains = await router.ForTenantAsync(tenantId);
        var allowed = definition.ODataType == AppConfigurationGraphMapping.Ios ? new[] { "iosStoreApp", "iosLobApp" } : ["androidManagedStoreApp"];
        foreach (var appId in definition.TargetedMobileApps.Distinct(StringComparer.Ordinal))
        {
            var app = Guid.TryParse(appId, out _) ? await grains.GetGrain<IMobileAppGrain>(GrainKeys.Scoped(tenantId, appId)).GetAsync() : null;
            if (app is null || !allowed.Contains(app.ODataType))
            {
                throw new InvalidRequestException($"targetedMobileApps: '{appId}' is not a {string.Join(" or ", allowed)} of this tenant.", "targetedMobileApps");
            }
        }
    }

    private async Task<IAppConfigurationGrain> GrainAsync(string tenantId, string id) =>
        (await router.ForTenantAsync(tenantId)).GetGrain<IAppConfigurationGrain>(GrainKeys.Scoped(tenantId, id));
}
