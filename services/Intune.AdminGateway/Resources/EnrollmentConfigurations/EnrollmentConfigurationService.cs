using System.Text.Json;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Limits;
using Intune.Grains.Errors;
using Intune.Grains.Tenants;
using Intune.Routing;

namespace Intune.AdminGateway.Resources.EnrollmentConfigurations;

/// <summary>
/// Enrollment restrictions for admins: the one place the REST and gRPC fronts go through. Bodies
/// arrive in Graph's shape (<see cref="EnrollmentConfigurationGraph"/>); the tenant grain refuses
/// what its rules do not allow. Every change records the configuration, with its Graph properties
/// before and after, in the call's <see cref="AuditRecorder"/>.
/// </summary>
public sealed class EnrollmentConfigurationService(IScaleUnitRouter router)
{
    private const string ResourceType = "DeviceEnrollmentConfiguration";

    /// <summary>The tenant's configurations; none when the token names a tenant this scale unit does not hold.</summary>
    public async Task<IReadOnlyList<EnrollmentConfiguration>> ListAsync(string tenantId) =>
        await ExistingTenantAsync(tenantId) is { } tenant ? await tenant.ListEnrollmentConfigurationsAsync() : [];

    /// <exception cref="NotFoundException">The tenant has no configuration with this id.</exception>
    public async Task<EnrollmentConfiguration> GetAsync(string tenantId, string id) =>
        (await ListAsync(tenantId)).FirstOrDefault(c => c.Id == id) ?? throw NotFound(id);

    public async Task<EnrollmentConfiguration> CreateAsync(string tenantId, JsonElement graph, AuditRecorder audit)
    {
        var draft = EnrollmentConfigurationGraph.ReadDraft(graph);
        CheckTexts(draft.DisplayName, draft.Description);
        var tenant = await ExistingTenantAsync(tenantId) ?? throw new ConflictException($"Tenant '{tenantId}' does not exist in this scale unit.");
        var created = await tenant.CreateEnrollmentConfigurationAsync(draft);
        audit.AddResource(ResourceType, created.Id, created.DisplayName ?? created.Id, null, EnrollmentConfigurationGraph.ToJson(created));
        return created;
    }

    /// <summary>Applies a Graph PATCH body.</summary>
    public async Task<EnrollmentConfiguration> UpdateAsync(string tenantId, string id, JsonElement graph, AuditRecorder audit)
    {
        var before = await GetAsync(tenantId, id);
        var patch = EnrollmentConfigurationGraph.ReadPatch(graph, before.Kind);
        CheckTexts(patch.DisplayName, patch.Description);
        var after = await (await TenantAsync(tenantId)).UpdateEnrollmentConfigurationAsync(id, patch) ?? throw NotFound(id);
        audit.AddResource(ResourceType, id, after.DisplayName ?? id, EnrollmentConfigurationGraph.ToJson(before), EnrollmentConfigurationGraph.ToJson(after));
        return after;
    }

    public async Task DeleteAsync(string tenantId, string id, AuditRecorder audit)
    {
        var before = await GetAsync(tenantId, id);
        if (!await (await TenantAsync(tenantId)).DeleteEnrollmentConfigurationAsync(id))
        {
            throw NotFound(id);
        }

        audit.AddResource(ResourceType, id, before.DisplayName ?? id, EnrollmentConfigurationGraph.ToJson(before), null);
    }

    /// <summary>Replaces the assignments with those of a Graph <c>assign</c> body.</summary>
    public Task AssignAsync(string tenantId, string id, JsonElement graph, AuditRecorder audit) =>
        AssignAsync(tenantId, id, EnrollmentConfigurationGraph.ReadAssignments(graph), audit);

    /// <summary>Replaces the assignments.</summary>
    public async Task AssignAsync(string tenantId, string id, IReadOnlyList<EnrollmentAssignmentTarget> targets, AuditRecorder audit)
    {
        await GetAsync(tenantId, id);
        if (!await (await TenantAsync(tenantId)).AssignEnrollmentConfigurationAsync(id, targets))
        {
            throw NotFound(id);
        }

        audit.AddResource(ResourceType, id, id, null, new Dictionary<string, object> { ["assignments"] = targets.Select(t => new { target = t.ODataType, t.GroupId }) });
    }

    public async Task SetPriorityAsync(string tenantId, string id, int priority, AuditRecorder audit)
    {
        var before = await GetAsync(tenantId, id);
        if (!await (await TenantAsync(tenantId)).SetEnrollmentConfigurationPriorityAsync(id, priority))
        {
            throw NotFound(id);
        }

        audit.AddResource(ResourceType, id, before.DisplayName ?? id, new Dictionary<string, int> { ["priority"] = before.Priority }, new Dictionary<string, int> { ["priority"] = priority });
    }

    private static NotFoundException NotFound(string id) => new($"No deviceEnrollmentConfiguration with id '{id}' exists in this tenant.");

    private async Task<ITenantGrain> TenantAsync(string tenantId) =>
        (await router.ForTenantAsync(tenantId)).GetGrain<ITenantGrain>(tenantId);

    /// <summary>The tenant grain, or null for a tenant never created here (its grain refuses every call).</summary>
    private async Task<ITenantGrain?> ExistingTenantAsync(string tenantId)
    {
        var tenant = await TenantAsync(tenantId);
        return await tenant.GetAsync() is null ? null : tenant;
    }

    private static void CheckTexts(string? displayName, string? description)
    {
        InputLimits.Text(displayName, "displayName", InputLimits.MaxDisplayName);
        InputLimits.Text(description, "description", InputLimits.MaxDescription);
    }
}
