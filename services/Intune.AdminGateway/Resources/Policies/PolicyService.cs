using System.Text.Json.Nodes;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Limits;
using Intune.Grains;
using Intune.Grains.Errors;
using Intune.Grains.Policies;
using Intune.Grains.Tenants;
using Intune.Routing;

namespace Intune.AdminGateway.Resources.Policies;

/// <summary>
/// Compliance policies and configuration profiles for admins, with their assignments, reports and
/// the tenant-wide state summaries: the one place the REST and gRPC fronts call. Policy bodies are
/// Graph JSON on both fronts, so one mapping (<see cref="PolicyGraphMapping"/>) validates every
/// setting. A policy of another tenant, or of the other kind, is not found.
/// </summary>
public sealed class PolicyService(IScaleUnitRouter router, RoleScopeTags.RoleScopeTagService scopeTags)
{
    /// <summary>Graph's entity name of a policy kind, as error messages name it.</summary>
    public static string EntityName(PolicyKind kind) => kind == PolicyKind.Compliance ? "deviceCompliancePolicy" : "deviceConfiguration";

    /// <summary>Audit resource type of a policy kind, as REST and gRPC name it.</summary>
    public static string ResourceType(PolicyKind kind) => PolicyOperations.For(kind).Create.Audit!.ResourceType;

    /// <exception cref="NotFoundException">No policy of this kind with this id exists in this tenant.</exception>
    public async Task<PolicyDefinition> GetAsync(string tenantId, string policyId, PolicyKind kind)
    {
        var definition = Guid.TryParse(policyId, out _) ? await (await GrainAsync(tenantId, policyId)).GetAsync() : null;
        // Out of the caller's scope tags reads as absent, for every by-id operation (update, delete, assign, reports).
        return definition?.Kind == kind && AdminScope.Current.Reaches(definition.RoleScopeTagIds)
            ? definition
            : throw new NotFoundException($"No {EntityName(kind)} with id '{policyId}' exists in this tenant.");
    }

    /// <summary>The grain of a policy that exists with this kind in this tenant (for its assignments and reports).</summary>
    public async Task<IPolicyGrain> ExistingAsync(string tenantId, string policyId, PolicyKind kind)
    {
        await GetAsync(tenantId, policyId, kind);
        return await GrainAsync(tenantId, policyId);
    }

    public async Task<IReadOnlyList<PolicyDefinition>> ListAsync(string tenantId, PolicyKind kind)
    {
        var grains = await router.ForTenantAsync(tenantId);
        var entries = await grains.GetGrain<ITenantComplianceGrain>(tenantId).ListPoliciesAsync(kind);
        var definitions = await Task.WhenAll(entries.Select(e => grains.GetGrain<IPolicyGrain>(GrainKeys.Scoped(tenantId, e.PolicyId)).GetAsync()));
        return definitions.OfType<PolicyDefinition>().Where(d => AdminScope.Current.Reaches(d.RoleScopeTagIds)).ToList();
    }

    /// <summary>The policy's assignments, when <paramref name="expand"/> asks for them.</summary>
    public async Task<IReadOnlyList<PolicyAssignment>?> AssignmentsAsync(string tenantId, string policyId, bool expand) =>
        expand ? await (await GrainAsync(tenantId, policyId)).GetAssignmentsAsync() : null;

    /// <summary>Creates a policy from its Graph body (<c>@odata.type</c> and settings), version 1.</summary>
    public async Task<PolicyDefinition> CreateAsync(string tenantId, PolicyKind kind, JsonObject graphBody, AuditRecorder audit)
    {
        var (schema, update, displayName) = PolicyGraphMapping.Read(graphBody, kind, existing: null);
        CheckTexts(displayName, update.Description);
        if (kind == PolicyKind.Compliance && update.ScheduledActions is null)
        {
            throw new InvalidRequestException("Compliance policy must have one and only one block scheduled action", "scheduledActionsForRule");
        }

        var tags = await scopeTags.CheckIdsAsync(tenantId, update.RoleScopeTagIds);
        var id = Guid.NewGuid().ToString();
        var created = await (await GrainAsync(tenantId, id)).CreateAsync(new PolicyDefinition
        {
            Id = id,
            Kind = kind,
            ODataType = schema.ODataType,
            DisplayName = displayName ?? string.Empty,
            Description = update.Description,
            Settings = update.Settings.Where(s => s.Value is not null).ToDictionary(s => s.Key, s => s.Value!, StringComparer.Ordinal),
            ScheduledActions = update.ScheduledActions ?? [],
            RoleScopeTagIds = tags?.ToList(),
        });
        audit.AddResource(ResourceType(kind), created.Id, created.DisplayName);
        return created;
    }

    /// <summary>Applies a Graph PATCH body as a new version (the type cannot change).</summary>
    public async Task<PolicyDefinition> UpdateAsync(string tenantId, string policyId, PolicyKind kind, JsonObject graphBody, AuditRecorder audit)
    {
        var existing = await GetAsync(tenantId, policyId, kind);
        var (_, update, displayName) = PolicyGraphMapping.Read(graphBody, kind, PolicySchemas.Find(existing.ODataType));
        CheckTexts(displayName, update.Description);
        var tags = await scopeTags.CheckIdsAsync(tenantId, update.RoleScopeTagIds);
        var updated = await (await GrainAsync(tenantId, policyId)).UpdateAsync(update with { RoleScopeTagIds = tags?.ToList() });
        audit.AddResource(ResourceType(kind), policyId, updated.DisplayName);
        return updated;
    }

    public async Task DeleteAsync(string tenantId, string policyId, PolicyKind kind, AuditRecorder audit)
    {
        var existing = await GetAsync(tenantId, policyId, kind);
        await (await GrainAsync(tenantId, policyId)).DeleteAsync();
        audit.AddResource(ResourceType(kind), policyId, existing.DisplayName);
    }

    /// <summary>Replaces the policy's assignments; group targets must name a group of this tenant.</summary>
    public async Task<IReadOnlyList<PolicyAssignment>> AssignAsync(string tenantId, string policyId, PolicyKind kind, IReadOnlyList<AssignmentTarget> targets, AuditRecorder audit)
    {
        var policy = await ExistingAsync(tenantId, policyId, kind);
        foreach (var target in targets)
        {
            if (target.Kind is AssignmentTargetKind.Group or AssignmentTargetKind.ExclusionGroup && !Guid.TryParse(target.GroupId, out _))
            {
                throw new InvalidRequestException($"A {(target.Kind == AssignmentTargetKind.Group ? "group" : "exclusion group")} assignment target needs a groupId (a group id from /v1.0/groups).", "groupId");
            }
        }

        var assignments = await policy.AssignAsync(targets);
        audit.AddResource(ResourceType(kind), policyId, policyId);
        return assignments;
    }

    /// <summary>Replaces a compliance policy's scheduled actions (a new version; exactly one block action).</summary>
    public async Task<PolicyDefinition> ScheduleActionsForRulesAsync(string tenantId, string policyId, IReadOnlyList<ScheduledActionRule> rules, AuditRecorder audit)
    {
        var updated = await (await ExistingAsync(tenantId, policyId, PolicyKind.Compliance)).UpdateAsync(new PolicyUpdate { ScheduledActions = rules });
        audit.AddResource(ResourceType(PolicyKind.Compliance), policyId, updated.DisplayName);
        return updated;
    }

    public async Task<DeviceStateSummary> SummaryAsync(string tenantId, PolicyKind kind) =>
        await (await router.ForTenantAsync(tenantId)).GetGrain<IDeviceStateSummaryGrain>(tenantId).GetAsync(kind);

    private async Task<IPolicyGrain> GrainAsync(string tenantId, string policyId) =>
        (await router.ForTenantAsync(tenantId)).GetGrain<IPolicyGrain>(GrainKeys.Scoped(tenantId, policyId));

    private static void CheckTexts(string? displayName, string? description)
    {
        InputLimits.Text(displayName, "displayName", InputLimits.MaxDisplayName);
        InputLimits.Text(description, "description", InputLimits.MaxDescription);
    }
}
