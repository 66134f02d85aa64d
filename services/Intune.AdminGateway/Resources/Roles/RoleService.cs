using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Limits;
using Intune.Grains.Errors;
using Intune.Grains.Rbac;
using Intune.Routing;

namespace Intune.AdminGateway.Resources.Roles;

/// <summary>A role definition as admins see it: built-in (code) or custom (tenant state).</summary>
public sealed record RoleDefinitionView(RoleDefinition Definition, bool IsBuiltIn);

/// <summary>
/// What an admin asks a role definition to be; on update, null leaves a field as it is.
/// <paramref name="IsBuiltIn"/> is only there to refuse clients that claim a built-in role.
/// </summary>
public sealed record RoleDefinitionDraft(
    string? DisplayName,
    string? Description,
    IReadOnlyList<string>? AllowedResourceActions,
    IReadOnlyList<string>? NotAllowedResourceActions,
    bool? IsBuiltIn = null);

/// <summary>What an admin asks a role assignment to be; on update, null leaves a field as it is.</summary>
public sealed record RoleAssignmentDraft(
    string? DisplayName,
    string? Description,
    string? RoleDefinitionId,
    IReadOnlyList<string>? Members,
    IReadOnlyList<string>? ResourceScopes,
    IReadOnlyList<string>? RoleScopeTagIds = null);

/// <summary>
/// Role definitions and assignments of a tenant. Built-in roles (docs/architecture.md §9) are listed with
/// stable ids derived from their names; custom ones live in the tenant's RBAC grain. Changes are
/// validated here, for REST and gRPC alike: bad input raises <see cref="InvalidRequestException"/>,
/// a refusal by a role's state <see cref="ConflictException"/>, a missing role
/// <see cref="NotFoundException"/>; each change records the role in the call's
/// <see cref="AuditRecorder"/> with its Graph properties before and after.
/// </summary>
public sealed class RoleService(IScaleUnitRouter router, RoleScopeTags.RoleScopeTagService scopeTags)
{
    public const string DefinitionODataType = "#microsoft.graph.deviceAndAppManagementRoleDefinition";
    public const string AssignmentODataType = "#microsoft.graph.deviceAndAppManagementRoleAssignment";

    public const int DisplayNameMaxLength = 256;
    public const int DescriptionMaxLength = 1024;

    public static readonly IReadOnlyList<RoleDefinition> BuiltIn = BuiltInRoles.Permissions
        .Select(r => new RoleDefinition(BuiltInId(r.Key), r.Key, $"Intune built-in role '{r.Key}'.", r.Value.Order(StringComparer.Ordinal).ToList(), []))
        .OrderBy(r => r.DisplayName, StringComparer.Ordinal)
        .ToList();

    public async Task<RbacSnapshot> SnapshotAsync(string tenantId) => await (await GrainAsync(tenantId)).GetAsync();

    public async Task<IReadOnlyList<RoleDefinitionView>> ListDefinitionsAsync(string tenantId)
    {
        var snapshot = await SnapshotAsync(tenantId);
        return BuiltIn.Select(d => new RoleDefinitionView(d, true))
            .Concat(snapshot.RoleDefinitions.OrderBy(d => d.DisplayName, StringComparer.Ordinal).Select(d => new RoleDefinitionView(d, false)))
            .ToList();
    }

    /// <exception cref="NotFoundException">The tenant has no role definition with this id.</exception>
    public async Task<RoleDefinitionView> GetDefinitionAsync(string tenantId, string id) =>
        await FindDefinitionAsync(tenantId, id) ?? throw new NotFoundException($"No roleDefinition with id '{id}' exists in this tenant.");

    private async Task<RoleDefinitionView?> FindDefinitionAsync(string tenantId, string id) =>
        (await ListDefinitionsAsync(tenantId)).FirstOrDefault(d => d.Definition.Id == id);

    public async Task<RoleDefinitionView> CreateDefinitionAsync(string tenantId, RoleDefinitionDraft draft, AuditRecorder audit)
    {
        CheckTexts(draft.DisplayName, draft.Description);
        if (string.IsNullOrWhiteSpace(draft.DisplayName))
        {
            throw new InvalidRequestException("displayName is required for a role definition.", "displayName");
        }

        if (draft.IsBuiltIn == true)
        {
            throw new InvalidRequestException("isBuiltIn cannot be true: only Intune's own roles are built in.", "isBuiltIn");
        }

        ValidateText(draft.DisplayName, draft.Description);
        ValidateOperations(draft);
        var definition = new RoleDefinition(
            Guid.NewGuid().ToString(),
            draft.DisplayName,
            draft.Description,
            (draft.AllowedResourceActions ?? []).Distinct().ToList(),
            (draft.NotAllowedResourceActions ?? []).Distinct().ToList());
        await (await GrainAsync(tenantId)).PutRoleDefinitionAsync(definition);
        var view = new RoleDefinitionView(definition, false);
        audit.AddResource("RoleDefinition", definition.Id, definition.DisplayName, null, ToGraph(view));
        return view;
    }

    /// <summary>Changes a custom role.</summary>
    public async Task<RoleDefinitionView> UpdateDefinitionAsync(string tenantId, string id, RoleDefinitionDraft draft, AuditRecorder audit)
    {
        CheckTexts(draft.DisplayName, draft.Description);
        var existing = await GetDefinitionAsync(tenantId, id);
        if (existing.IsBuiltIn)
        {
            throw new ConflictException($"'{existing.Definition.DisplayName}' is a built-in role and cannot be changed; create a custom role instead.");
        }

        ValidateText(draft.DisplayName, draft.Description);
        ValidateOperations(draft);
        var old = existing.Definition;
        var updated = old with
        {
            DisplayName = string.IsNullOrWhiteSpace(draft.DisplayName) ? old.DisplayName : draft.DisplayName,
            Description = draft.Description ?? old.Description,
            AllowedResourceActions = draft.AllowedResourceActions?.Distinct().ToList() ?? old.AllowedResourceActions,
            NotAllowedResourceActions = draft.NotAllowedResourceActions?.Distinct().ToList() ?? old.NotAllowedResourceActions,
        };
        await (await GrainAsync(tenantId)).PutRoleDefinitionAsync(updated);
        var view = new RoleDefinitionView(updated, false);
        audit.AddResource("RoleDefinition", id, updated.DisplayName, ToGraph(existing), ToGraph(view));
        return view;
    }

    /// <summary>Removes a custom role that no assignment uses.</summary>
    public async Task DeleteDefinitionAsync(string tenantId, string id, AuditRecorder audit)
    {
        var existing = await GetDefinitionAsync(tenantId, id);
        if (existing.IsBuiltIn)
        {
            throw new ConflictException($"'{existing.Definition.DisplayName}' is a built-in role and cannot be deleted.");
        }

        // The grain refuses a role still assigned (ConflictException).
        await (await GrainAsync(tenantId)).DeleteRoleDefinitionAsync(id);
        audit.AddResource("RoleDefinition", id, existing.Definition.DisplayName, ToGraph(existing), null);
    }

    public async Task<IReadOnlyList<RoleAssignment>> ListAssignmentsAsync(string tenantId) =>
        (await SnapshotAsync(tenantId)).RoleAssignments;

    /// <exception cref="NotFoundException">The tenant has no role assignment with this id.</exception>
    public async Task<RoleAssignment> GetAssignmentAsync(string tenantId, string id) =>
        (await ListAssignmentsAsync(tenantId)).FirstOrDefault(a => a.Id == id) ?? throw AssignmentNotFound(id);

    private static NotFoundException AssignmentNotFound(string id) => new($"No roleAssignment with id '{id}' exists in this tenant.");

    public async Task<RoleAssignment> CreateAssignmentAsync(string tenantId, RoleAssignmentDraft draft, AuditRecorder audit)
    {
        CheckTexts(draft.DisplayName, draft.Description);
        if (string.IsNullOrWhiteSpace(draft.DisplayName))
        {
            throw new InvalidRequestException("displayName is required for a role assignment.", "displayName");
        }

        if (draft.Members is null)
        {
            throw new InvalidRequestException("members must list at least one user, by Entra object id or user principal name.", "members");
        }

        if (string.IsNullOrWhiteSpace(draft.RoleDefinitionId))
        {
            throw new InvalidRequestException("A role assignment needs the id of the role definition it grants.", "roleDefinitionId");
        }

        await ValidateAsync(tenantId, draft);
        var tags = await scopeTags.CheckIdsAsync(tenantId, draft.RoleScopeTagIds);
        var assignment = new RoleAssignment(Guid.NewGuid().ToString(), draft.DisplayName, draft.Description, draft.RoleDefinitionId, draft.Members.ToList(), draft.ResourceScopes?.ToList() ?? ["/"], tags);
        await (await GrainAsync(tenantId)).PutRoleAssignmentAsync(assignment);
        audit.AddResource("RoleAssignment", assignment.Id, assignment.DisplayName, null, ToGraph(assignment));
        return assignment;
    }

    /// <summary>Changes an assignment (members, role, scopes, names).</summary>
    public async Task<RoleAssignment> UpdateAssignmentAsync(string tenantId, string id, RoleAssignmentDraft draft, AuditRecorder audit)
    {
        CheckTexts(draft.DisplayName, draft.Description);
        var existing = await GetAssignmentAsync(tenantId, id);
        await ValidateAsync(tenantId, draft);
        var tags = await scopeTags.CheckIdsAsync(tenantId, draft.RoleScopeTagIds);
        var updated = existing with
        {
            DisplayName = string.IsNullOrWhiteSpace(draft.DisplayName) ? existing.DisplayName : draft.DisplayName,
            Description = draft.Description ?? existing.Description,
            RoleDefinitionId = string.IsNullOrWhiteSpace(draft.RoleDefinitionId) ? existing.RoleDefinitionId : draft.RoleDefinitionId,
            Members = draft.Members?.ToList() ?? existing.Members,
            ResourceScopes = draft.ResourceScopes?.ToList() ?? existing.ResourceScopes,
            RoleScopeTagIds = tags ?? existing.RoleScopeTagIds,
        };
        await (await GrainAsync(tenantId)).PutRoleAssignmentAsync(updated);
        audit.AddResource("RoleAssignment", id, updated.DisplayName, ToGraph(existing), ToGraph(updated));
        return updated;
    }

    /// <summary>Removes an assignment.</summary>
    public async Task DeleteAssignmentAsync(string tenantId, string id, AuditRecorder audit)
    {
        var existing = await GetAssignmentAsync(tenantId, id);
        if (!await (await GrainAsync(tenantId)).DeleteRoleAssignmentAsync(id))
        {
            throw AssignmentNotFound(id);
        }

        audit.AddResource("RoleAssignment", id, existing.DisplayName, ToGraph(existing), null);
    }

    /// <summary>Graph's <c>deviceAndAppManagementRoleDefinition</c>; also what audit events list as changed properties.</summary>
    public static JsonObject ToGraph(RoleDefinitionView view) => new()
    {
        ["@odata.type"] = DefinitionODataType,
        ["id"] = view.Definition.Id,
        ["displayName"] = view.Definition.DisplayName,
        ["description"] = view.Definition.Description,
        ["isBuiltIn"] = view.IsBuiltIn,
        ["rolePermissions"] = new JsonArray(new JsonObject
        {
            ["resourceActions"] = new JsonArray(new JsonObject
            {
                ["allowedResourceActions"] = new JsonArray(view.Definition.AllowedResourceActions.Select(a => (JsonNode?)a).ToArray()),
                ["notAllowedResourceActions"] = new JsonArray(view.Definition.NotAllowedResourceActions.Select(a => (JsonNode?)a).ToArray()),
            }),
        }),
    };

    /// <summary>Graph's <c>deviceAndAppManagementRoleAssignment</c>, the role bound by <c>roleDefinition@odata.bind</c>.</summary>
    public static JsonObject ToGraph(RoleAssignment assignment) => new()
    {
        ["@odata.type"] = AssignmentODataType,
        ["id"] = assignment.Id,
        ["displayName"] = assignment.DisplayName,
        ["description"] = assignment.Description,
        ["members"] = new JsonArray(assignment.Members.Select(m => (JsonNode?)m).ToArray()),
        ["resourceScopes"] = new JsonArray(assignment.ResourceScopes.Select(s => (JsonNode?)s).ToArray()),
        ["roleScopeTagIds"] = new JsonArray(assignment.ReachedScopeTagIds().Select(s => (JsonNode?)s).ToArray()),
        ["roleDefinition@odata.bind"] = $"roleDefinitions/{assignment.RoleDefinitionId}",
    };

    private static void ValidateText(string? displayName, string? description)
    {
        if (displayName is { Length: > DisplayNameMaxLength })
        {
            throw new InvalidRequestException($"displayName is at most {DisplayNameMaxLength} characters.", "displayName");
        }

        if (description is { Length: > DescriptionMaxLength })
        {
            throw new InvalidRequestException($"description is at most {DescriptionMaxLength} characters.", "description");
        }
    }

    private static void ValidateOperations(RoleDefinitionDraft draft)
    {
        var unknown = (draft.AllowedResourceActions ?? []).Concat(draft.NotAllowedResourceActions ?? []).FirstOrDefault(a => !AdminPermissions.All.Contains(a));
        if (unknown is not null)
        {
            throw new InvalidRequestException($"'{unknown}' is not an Intune resource operation; GET /deviceManagement/resourceOperations lists them.", "resourceActions");
        }
    }

    private async Task ValidateAsync(string tenantId, RoleAssignmentDraft draft)
    {
        ValidateText(draft.DisplayName, draft.Description);
        if (draft.Members is { } members && (members.Count == 0 || members.Any(string.IsNullOrWhiteSpace)))
        {
            throw new InvalidRequestException("members must list at least one user, by Entra object id or user principal name.", "members");
        }

        if (draft.ResourceScopes is { } scopes && scopes.Any(string.IsNullOrWhiteSpace))
        {
            throw new InvalidRequestException("resourceScopes must not contain empty scopes; use \"/\" for the whole tenant.", "resourceScopes");
        }

        if (!string.IsNullOrWhiteSpace(draft.RoleDefinitionId) && await FindDefinitionAsync(tenantId, draft.RoleDefinitionId) is null)
        {
            throw new InvalidRequestException($"Role definition '{draft.RoleDefinitionId}' does not exist in this tenant.", "roleDefinitionId");
        }
    }

    /// <summary>
    /// The permissions a caller holds in a tenant: its token's built-in roles, plus every role
    /// assigned to it (by object id or UPN) in the tenant, minus each role's not-allowed actions.
    /// </summary>
    private static void CheckTexts(string? displayName, string? description)
    {
        InputLimits.Text(displayName, "displayName", InputLimits.MaxDisplayName);
        InputLimits.Text(description, "description", InputLimits.MaxDescription);
    }

    public async Task<IReadOnlySet<string>> ResolveAsync(string tenantId, IEnumerable<string> tokenRoles, string? objectId, string? userPrincipalName)
    {
        var granted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in tokenRoles)
        {
            if (BuiltInRoles.Permissions.TryGetValue(role, out var permissions))
            {
                granted.UnionWith(permissions);
            }
        }

        var snapshot = await SnapshotAsync(tenantId);
        foreach (var assignment in snapshot.RoleAssignments)
        {
            if (!assignment.Members.Any(m => string.Equals(m, objectId, StringComparison.OrdinalIgnoreCase) || string.Equals(m, userPrincipalName, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var definition = BuiltIn.Concat(snapshot.RoleDefinitions).FirstOrDefault(d => d.Id == assignment.RoleDefinitionId);
            if (definition is not null)
            {
                granted.UnionWith(definition.AllowedResourceActions.Except(definition.NotAllowedResourceActions));
            }
        }

        return granted;
    }

    /// <summary>The scope tags the caller reaches (see <see cref="Auth.IPermissionResolver.ResolveScopeTagsAsync"/>); null: all.</summary>
    public async Task<IReadOnlySet<string>?> ResolveScopeTagsAsync(string tenantId, IEnumerable<string> tokenRoles, string? objectId, string? userPrincipalName)
    {
        if (tokenRoles.Any(BuiltInRoles.Permissions.ContainsKey))
        {
            return null;
        }

        var reached = new HashSet<string>(StringComparer.Ordinal);
        foreach (var assignment in (await SnapshotAsync(tenantId)).RoleAssignments)
        {
            if (assignment.Members.Any(m => string.Equals(m, objectId, StringComparison.OrdinalIgnoreCase) || string.Equals(m, userPrincipalName, StringComparison.OrdinalIgnoreCase)))
            {
                reached.UnionWith(assignment.ReachedScopeTagIds());
            }
        }

        return reached;
    }

    private static string BuiltInId(string name) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"intune-builtin-role:{name}")).AsSpan(0, 16)).ToString();

    private async Task<ITenantRbacGrain> GrainAsync(string tenantId) =>
        (await router.ForTenantAsync(tenantId)).GetGrain<ITenantRbacGrain>(tenantId);
}
