using Intune.Grains.Tenants;
using Intune.Routing;

namespace Intune.AdminGateway.Application;

/// <summary>
/// Enrollment restrictions for admins: the one place the REST and gRPC fronts go through.
/// Refusals of the tenant's rules arrive as <see cref="EnrollmentConfigurationException"/>.
/// </summary>
public sealed class EnrollmentConfigurationService(IScaleUnitRouter router)
{
    public async Task<IReadOnlyList<EnrollmentConfiguration>> ListAsync(string tenantId) =>
        await (await TenantAsync(tenantId)).ListEnrollmentConfigurationsAsync();

    public async Task<EnrollmentConfiguration?> GetAsync(string tenantId, string id) =>
        (await ListAsync(tenantId)).FirstOrDefault(c => c.Id == id);

    public async Task<EnrollmentConfiguration> CreateAsync(string tenantId, EnrollmentConfiguration configuration) =>
        await (await TenantAsync(tenantId)).CreateEnrollmentConfigurationAsync(configuration);

    public async Task<EnrollmentConfiguration?> UpdateAsync(string tenantId, string id, EnrollmentConfigurationPatch patch) =>
        await (await TenantAsync(tenantId)).UpdateEnrollmentConfigurationAsync(id, patch);

    public async Task<bool> DeleteAsync(string tenantId, string id) =>
        await (await TenantAsync(tenantId)).DeleteEnrollmentConfigurationAsync(id);

    public async Task<bool> AssignAsync(string tenantId, string id, IReadOnlyList<EnrollmentAssignmentTarget> targets) =>
        await (await TenantAsync(tenantId)).AssignEnrollmentConfigurationAsync(id, targets);

    public async Task<bool> SetPriorityAsync(string tenantId, string id, int priority) =>
        await (await TenantAsync(tenantId)).SetEnrollmentConfigurationPriorityAsync(id, priority);

    private async Task<ITenantGrain> TenantAsync(string tenantId) =>
        (await router.ForTenantAsync(tenantId)).GetGrain<ITenantGrain>(tenantId);
}
