using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.Grains.Rbac;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Graph;

/// <summary>
/// Intune RBAC: <c>/deviceManagement/roleDefinitions</c> (built-ins read-only, custom CRUD),
/// <c>/roleAssignments</c> (members are Entra user object ids or UPNs; the role is bound with
/// <c>roleDefinition@odata.bind</c>) and <c>/resourceOperations</c>.
/// </summary>
public static class RoleManagementApi
{
    private const string DefinitionType = "#microsoft.graph.deviceAndAppManagementRoleDefinition";
    private const string AssignmentType = "#microsoft.graph.deviceAndAppManagementRoleAssignment";

    private static readonly Dictionary<string, Type> DefinitionTypes = new()
    {
        [DefinitionType] = typeof(RoleDefinitionBody),
        ["#microsoft.graph.roleDefinition"] = typeof(RoleDefinitionBody),
    };

    private static readonly Dictionary<string, Type> AssignmentTypes = new()
    {
        [AssignmentType] = typeof(RoleAssignmentBody),
    };

    public static RouteGroupBuilder MapRoleManagementApi(this RouteGroupBuilder v1)
    {
        var definitions = v1.MapGroup("/deviceManagement/roleDefinitions");
        definitions.MapGet("", ListDefinitionsAsync).RequirePermission(AdminPermissions.RolesRead);
        definitions.MapGet("/{id}", GetDefinitionAsync).RequirePermission(AdminPermissions.RolesRead);
        definitions.MapPost("", CreateDefinitionAsync).RequirePermission(AdminPermissions.RolesWrite);
        definitions.MapPatch("/{id}", PatchDefinitionAsync).RequirePermission(AdminPermissions.RolesWrite);
        definitions.MapDelete("/{id}", DeleteDefinitionAsync).RequirePermission(AdminPermissions.RolesWrite);

        var assignments = v1.MapGroup("/deviceManagement/roleAssignments");
        assignments.MapGet("", ListAssignmentsAsync).RequirePermission(AdminPermissions.RolesRead);
        assignments.MapGet("/{id}", GetAssignmentAsync).RequirePermission(AdminPermissions.RolesRead);
        assignments.MapPost("", CreateAssignmentAsync).RequirePermission(AdminPermissions.RolesWrite);
        assignments.MapDelete("/{id}", DeleteAssignmentAsync).RequirePermission(AdminPermissions.RolesWrite);

        v1.MapGet("/deviceManagement/resourceOperations", ListOperations).RequirePermission(AdminPermissions.RolesRead);
        return v1;
    }

    private static async Task<IResult> ListDefinitionsAsync(HttpContext context, RoleManagement roles) =>
        Collection(context, "roleDefinitions", (await roles.ListDefinitionsAsync(Tenant(context))).Select(ToGraph));

    private static async Task<IResult> GetDefinitionAsync(string id, HttpContext context, RoleManagement roles) =>
        await roles.GetDefinitionAsync(Tenant(context), id) is { } found
            ? Entity(context, "roleDefinitions", ToGraph(found), StatusCodes.Status200OK)
            : GraphErrors.NotFound($"No roleDefinition with id '{id}' exists in this tenant.");

    private static async Task<IResult> CreateDefinitionAsync(HttpContext context, RoleManagement roles, AuditRecorder audit)
    {
        var body = await GraphRequestBody.ReadAsync<RoleDefinitionBody>(context, DefinitionTypes);
        if (!body.IsValid)
        {
            return body.Error!;
        }

        var request = body.Value!;
        if (string.IsNullOrWhiteSpace(request.DisplayName))
        {
            return GraphErrors.BadRequest("displayName is required for a role definition.");
        }

        if (request.IsBuiltIn == true)
        {
            return GraphErrors.BadRequest("isBuiltIn cannot be true: only Intune's own roles are built in.");
        }

        if (Validate(request.RolePermissions) is { } invalid)
        {
            return invalid;
        }

        var definition = new RoleDefinition(Guid.NewGuid().ToString(), request.DisplayName, request.Description, Allowed(request.RolePermissions), NotAllowed(request.RolePermissions));
        await roles.PutDefinitionAsync(Tenant(context), definition);
        var view = new RoleDefinitionView(definition, false);
        audit.AddResource("RoleDefinition", definition.Id, definition.DisplayName, null, ToGraph(view));
        return Entity(context, "roleDefinitions", ToGraph(view), StatusCodes.Status201Created);
    }

    private static async Task<IResult> PatchDefinitionAsync(string id, HttpContext context, RoleManagement roles, AuditRecorder audit)
    {
        var existing = await roles.GetDefinitionAsync(Tenant(context), id);
        if (existing is null)
        {
            return GraphErrors.NotFound($"No roleDefinition with id '{id}' exists in this tenant.");
        }

        if (existing.IsBuiltIn)
        {
            return GraphErrors.BadRequest($"'{existing.Definition.DisplayName}' is a built-in role and cannot be changed; create a custom role instead.");
        }

        var body = await GraphRequestBody.ReadAsync<RoleDefinitionBody>(context, DefinitionTypes);
        if (!body.IsValid)
        {
            return body.Error!;
        }

        var patch = body.Value!;
        if (Validate(patch.RolePermissions) is { } invalid)
        {
            return invalid;
        }

        var old = existing.Definition;
        var updated = old with
        {
            DisplayName = string.IsNullOrWhiteSpace(patch.DisplayName) ? old.DisplayName : patch.DisplayName,
            Description = patch.Description ?? old.Description,
            AllowedResourceActions = patch.RolePermissions is null ? old.AllowedResourceActions : Allowed(patch.RolePermissions),
            NotAllowedResourceActions = patch.RolePermissions is null ? old.NotAllowedResourceActions : NotAllowed(patch.RolePermissions),
        };
        await roles.PutDefinitionAsync(Tenant(context), updated);
        audit.AddResource("RoleDefinition", id, updated.DisplayName, ToGraph(existing), ToGraph(new RoleDefinitionView(updated, false)));
        return Results.NoContent();
    }

    private static async Task<IResult> DeleteDefinitionAsync(string id, HttpContext context, RoleManagement roles, AuditRecorder audit)
    {
        var existing = await roles.GetDefinitionAsync(Tenant(context), id);
        if (existing is null)
        {
            return GraphErrors.NotFound($"No roleDefinition with id '{id}' exists in this tenant.");
        }

        if (existing.IsBuiltIn)
        {
            return GraphErrors.BadRequest($"'{existing.Definition.DisplayName}' is a built-in role and cannot be deleted.");
        }

        try
        {
            await roles.DeleteDefinitionAsync(Tenant(context), id);
        }
        catch (RoleInUseException e)
        {
            return GraphErrors.BadRequest(e.Message);
        }

        audit.AddResource("RoleDefinition", id, existing.Definition.DisplayName, ToGraph(existing), null);
        return Results.NoContent();
    }

    private static async Task<IResult> ListAssignmentsAsync(HttpContext context, RoleManagement roles) =>
        Collection(context, "roleAssignments", (await roles.SnapshotAsync(Tenant(context))).RoleAssignments.Select(ToGraph));

    private static async Task<IResult> GetAssignmentAsync(string id, HttpContext context, RoleManagement roles) =>
        (await roles.SnapshotAsync(Tenant(context))).RoleAssignments.FirstOrDefault(a => a.Id == id) is { } found
            ? Entity(context, "roleAssignments", ToGraph(found), StatusCodes.Status200OK)
            : GraphErrors.NotFound($"No roleAssignment with id '{id}' exists in this tenant.");

    private static async Task<IResult> CreateAssignmentAsync(HttpContext context, RoleManagement roles, AuditRecorder audit)
    {
        var body = await GraphRequestBody.ReadAsync<RoleAssignmentBody>(context, AssignmentTypes);
        if (!body.IsValid)
        {
            return body.Error!;
        }

        var request = body.Value!;
        if (string.IsNullOrWhiteSpace(request.DisplayName))
        {
            return GraphErrors.BadRequest("displayName is required for a role assignment.");
        }

        if (request.Members is not { Count: > 0 } members || members.Any(string.IsNullOrWhiteSpace))
        {
            return GraphErrors.BadRequest("members must list at least one user, by Entra object id or user principal name.");
        }

        var roleId = RoleIdFromBind(request.RoleDefinitionBind);
        if (roleId is null)
        {
            return GraphErrors.BadRequest("Bind the role with 'roleDefinition@odata.bind': 'https://graph.microsoft.com/v1.0/deviceManagement/roleDefinitions/{id}'.");
        }

        if (await roles.GetDefinitionAsync(Tenant(context), roleId) is null)
        {
            return GraphErrors.BadRequest($"'roleDefinition@odata.bind' names role definition '{roleId}', which does not exist in this tenant.");
        }

        var assignment = new RoleAssignment(Guid.NewGuid().ToString(), request.DisplayName, request.Description, roleId, members, request.ResourceScopes ?? ["/"]);
        await roles.PutAssignmentAsync(Tenant(context), assignment);
        audit.AddResource("RoleAssignment", assignment.Id, assignment.DisplayName, null, ToGraph(assignment));
        return Entity(context, "roleAssignments", ToGraph(assignment), StatusCodes.Status201Created);
    }

    private static async Task<IResult> DeleteAssignmentAsync(string id, HttpContext context, RoleManagement roles, AuditRecorder audit)
    {
        var existing = (await roles.SnapshotAsync(Tenant(context))).RoleAssignments.FirstOrDefault(a => a.Id == id);
        if (existing is null || !await roles.DeleteAssignmentAsync(Tenant(context), id))
        {
            return GraphErrors.NotFound($"No roleAssignment with id '{id}' exists in this tenant.");
        }

        audit.AddResource("RoleAssignment", id, existing.DisplayName, ToGraph(existing), null);
        return Results.NoContent();
    }

    private static IResult ListOperations(HttpContext context) =>
        Collection(context, "resourceOperations", AdminPermissions.All.Select(p =>
        {
            // Microsoft.Intune_<Resource>_<Action>
            var parts = p["Microsoft.Intune_".Length..].Split('_');
            return new JsonObject
            {
                ["@odata.type"] = "#microsoft.graph.resourceOperation",
                ["id"] = p,
                ["resourceName"] = parts[0],
                ["actionName"] = parts.Length > 1 ? parts[1] : string.Empty,
                ["description"] = $"{(parts.Length > 1 ? parts[1] : string.Empty)} {parts[0]}",
            };
        }));

    private static IResult? Validate(List<RolePermissionBody>? permissions)
    {
        var unknown = (permissions ?? [])
            .SelectMany(p => p.ResourceActions ?? [])
            .SelectMany(a => (a.AllowedResourceActions ?? []).Concat(a.NotAllowedResourceActions ?? []))
            .FirstOrDefault(a => !AdminPermissions.All.Contains(a));
        return unknown is null
            ? null
            : GraphErrors.BadRequest($"'{unknown}' is not an Intune resource operation; GET /deviceManagement/resourceOperations lists them.");
    }

    private static List<string> Allowed(List<RolePermissionBody>? permissions) =>
        (permissions ?? []).SelectMany(p => p.ResourceActions ?? []).SelectMany(a => a.AllowedResourceActions ?? []).Distinct().ToList();

    private static List<string> NotAllowed(List<RolePermissionBody>? permissions) =>
        (permissions ?? []).SelectMany(p => p.ResourceActions ?? []).SelectMany(a => a.NotAllowedResourceActions ?? []).Distinct().ToList();

    private static string? RoleIdFromBind(string? bind)
    {
        if (string.IsNullOrWhiteSpace(bind))
        {
            return null;
        }

        var at = bind.LastIndexOf("roleDefinitions", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var id = bind[(at + "roleDefinitions".Length)..].Trim('/', '(', ')', '\'');
        return id.Length == 0 ? null : id;
    }

    private static JsonObject ToGraph(RoleDefinitionView view) => new()
    {
        ["@odata.type"] = DefinitionType,
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

    private static JsonObject ToGraph(RoleAssignment assignment) => new()
    {
        ["@odata.type"] = AssignmentType,
        ["id"] = assignment.Id,
        ["displayName"] = assignment.DisplayName,
        ["description"] = assignment.Description,
        ["members"] = new JsonArray(assignment.Members.Select(m => (JsonNode?)m).ToArray()),
        ["resourceScopes"] = new JsonArray(assignment.ResourceScopes.Select(s => (JsonNode?)s).ToArray()),
        ["roleDefinition@odata.bind"] = $"roleDefinitions/{assignment.RoleDefinitionId}",
    };

    private static string Tenant(HttpContext context) => context.User.GetTenantId()!;

    private static string BaseUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/v1.0";

    private static IResult Collection(HttpContext context, string set, IEnumerable<JsonObject> values)
    {
        var body = new JsonObject
        {
            ["@odata.context"] = $"{BaseUrl(context)}/$metadata#deviceManagement/{set}",
            ["value"] = new JsonArray(values.Select(v => (JsonNode?)v).ToArray()),
        };
        return Results.Text(body.ToJsonString(GraphJson.Options), GraphJson.ContentType, Encoding.UTF8);
    }

    private static IResult Entity(HttpContext context, string set, JsonObject entity, int status)
    {
        entity.Insert(0, "@odata.context", $"{BaseUrl(context)}/$metadata#deviceManagement/{set}/$entity");
        return Results.Text(entity.ToJsonString(GraphJson.Options), GraphJson.ContentType, Encoding.UTF8, status);
    }

    public sealed class RoleDefinitionBody
    {
        [StringLength(256, ErrorMessage = "displayName is at most 256 characters.")]
        public string? DisplayName { get; set; }

        [StringLength(1024, ErrorMessage = "description is at most 1024 characters.")]
        public string? Description { get; set; }

        public bool? IsBuiltIn { get; set; }

        public List<RolePermissionBody>? RolePermissions { get; set; }
    }

    public sealed class RolePermissionBody
    {
        /// <summary>The SDK may type nested values too; accepted and ignored.</summary>
        [JsonPropertyName("@odata.type")]
        public string? ODataType { get; set; }

        public List<ResourceActionBody>? ResourceActions { get; set; }
    }

    public sealed class ResourceActionBody
    {
        /// <summary>The SDK may type nested values too; accepted and ignored.</summary>
        [JsonPropertyName("@odata.type")]
        public string? ODataType { get; set; }

        public List<string>? AllowedResourceActions { get; set; }

        public List<string>? NotAllowedResourceActions { get; set; }
    }

    public sealed class RoleAssignmentBody
    {
        [StringLength(256, ErrorMessage = "displayName is at most 256 characters.")]
        public string? DisplayName { get; set; }

        public string? Description { get; set; }

        public List<string>? Members { get; set; }

        public List<string>? ResourceScopes { get; set; }

        [JsonPropertyName("roleDefinition@odata.bind")]
        public string? RoleDefinitionBind { get; set; }
    }
}
