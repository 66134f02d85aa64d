using System.Text.Json;
using Intune.AdminGateway.Audit;
using Intune.Grains.Tenants;
using Intune.Routing;

namespace Intune.AdminGateway.Application;

/// <summary>
/// Enrollment restrictions for admins: the one place the REST and gRPC fronts go through. Bodies
/// arrive in Graph's shape (<see cref="EnrollmentConfigurationGraph"/>); bad input and the tenant's
/// refusals (<see cref="EnrollmentConfigurationException"/>) leave as <see cref="AdminInputException"/>.
/// Every change is described in the call's <see cref="AuditRecorder"/>.
/// </summary>
public sealed class EnrollmentConfigurationService(IScaleUnitRouter router)
{
    private const string ResourceType = "DeviceEnrollmentConfiguration";

    /// <summary>The tenant's configurations; none when the token names a tenant this scale unit does not hold.</summary>
    public async Task<IReadOnlyList<EnrollmentConfiguration>> ListAsync(string tenantId) =>
        await ExistingTenantAsync(tenantId) is { } tenant ? await tenant.ListEnrollmentConfigurationsAsync() : [];

    public async Task<EnrollmentConfiguration?> GetAsync(string tenantId, string id) =>
        (await ListAsync(tenantId)).FirstOrDefault(c => c.Id == id);

    public async Task<EnrollmentConfiguration> CreateAsync(string tenantId, JsonElement graph, AuditRecorder audit)
    {
        audit.Describe($"Create {ResourceType}", "Create", "Enrollment");
        var draft = EnrollmentConfigurationGraph.ReadDraft(graph);
        var tenant = await ExistingTenantAsync(tenantId) ?? throw new AdminPreconditionException($"Tenant '{tenantId}' does not exist in this scale unit.");
        var created = await RefusedAsInputAsync(() => tenant.CreateEnrollmentConfigurationAsync(draft));
        audit.AddResource(ResourceType, created.Id, created.DisplayName ?? created.Id, null, EnrollmentConfigurationGraph.ToJson(created));
        return created;
    }

    /// <summary>Applies a Graph PATCH body; null when the tenant has no configuration with this id.</summary>
    public async Task<EnrollmentConfiguration?> UpdateAsync(string tenantId, string id, JsonElement graph, AuditRecorder audit)
    {
        audit.Describe($"Patch {ResourceType}", "Patch", "Enrollment");
        if (await GetAsync(tenantId, id) is not { } before)
        {
            return null;
        }

        var patch = EnrollmentConfigurationGraph.ReadPatch(graph, before.Kind);
        var after = await RefusedAsInputAsync(async () => await (await TenantAsync(tenantId)).UpdateEnrollmentConfigurationAsync(id, patch));
        if (after is not null)
        {
            audit.AddResource(ResourceType, id, after.DisplayName ?? id, EnrollmentConfigurationGraph.ToJson(before), EnrollmentConfigurationGraph.ToJson(after));
        }

        return after;
    }

    public async Task<bool> DeleteAsync(string tenantId, string id, AuditRecorder audit)
    {
        audit.Describe($"Delete {ResourceType}", "Delete", "Enrollment");
        if (await GetAsync(tenantId, id) is not { } before
            || !await RefusedAsInputAsync(async () => await (await TenantAsync(tenantId)).DeleteEnrollmentConfigurationAsync(id)))
        {
            return false;
        }

        audit.AddResource(ResourceType, id, before.DisplayName ?? id, EnrollmentConfigurationGraph.ToJson(before), null);
        return true;
    }

    /// <summary>Replaces the assignments with those of a Graph <c>assign</c> body.</summary>
    public Task<bool> AssignAsync(string tenantId, string id, JsonElement graph, AuditRecorder audit)
    {
        audit.Describe($"assign {ResourceType}", "Action", "Enrollment");
        return AssignAsync(tenantId, id, EnrollmentConfigurationGraph.ReadAssignments(graph), audit);
    }

    /// <summary>Replaces the assignments; false when the tenant has no configuration with this id.</summary>
    public async Task<bool> AssignAsync(string tenantId, string id, IReadOnlyList<EnrollmentAssignmentTarget> targets, AuditRecorder audit)
    {
        audit.Describe($"assign {ResourceType}", "Action", "Enrollment");
        if (await GetAsync(tenantId, id) is null || !await RefusedAsInputAsync(async () => await (await TenantAsync(tenantId)).AssignEnrollmentConfigurationAsync(id, targets)))
        {
            return false;
        }

        audit.AddResource(ResourceType, id, id, null, new Dictionary<string, object> { ["assignments"] = targets.Select(t => new { target = t.ODataType, t.GroupId }) });
        return true;
    }

    public async Task<bool> SetPriorityAsync(string tenantId, string id, int priority, AuditRecorder audit)
    {
        audit.Describe($"setPriority {ResourceType}", "Action", "Enrollment");
        if (await GetAsync(tenantId, id) is not { } before
            || !await RefusedAsInputAsync(async () => await (await TenantAsync(tenantId)).SetEnrollmentConfigurationPriorityAsync(id, priority)))
        {
            return false;
        }

        audit.AddResource(ResourceType, id, before.DisplayName ?? id, new Dictionary<string, int> { ["priority"] = before.Priority }, new Dictionary<string, int> { ["priority"] = priority });
        return true;
    }

    private static async Task<T> RefusedAsInputAsync<T>(Func<Task<T>> change)
    {
        try
        {
            return await change();
        }
        catch (EnrollmentConfigurationException e)
        {
            throw new AdminInputException(e.Message);
        }
    }

    private async Task<ITenantGrain> TenantAsync(string tenantId) =>
        (await router.ForTenantAsync(tenantId)).GetGrain<ITenantGrain>(tenantId);

    /// <summary>The tenant grain, or null for a tenant never created here (its grain refuses every call).</summary>
    private async Task<ITenantGrain?> ExistingTenantAsync(string tenantId)
    {
        var tenant = await TenantAsync(tenantId);
        return await tenant.GetAsync() is null ? null : tenant;
    }
}
