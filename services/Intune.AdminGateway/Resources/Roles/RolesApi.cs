using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Operations;
using Intune.Grains.Errors;
using Intune.Grains.Rbac;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Resources.Roles;

/// <summary>
/// Intune RBAC: <c>/deviceManagement/roleDefinitions</c> (built-ins read-only, custom CRUD),
/// <c>/roleAssignments</c> (members are Entra user object ids or UPNs; the role is bound with
/// <c>roleDefinition@odata.bind</c>) and <c>/resourceOperations</c>.
/// </summary>
public static class RolesApi
{
    private static readonly Dictionary<string, Type> DefinitionTypes = new()
    {
        [RoleService.DefinitionODataType] = typeof(RoleDefinitionBody),
        ["#microsoft.graph.roleDefinition"] = typeof(RoleDefinitionBody),
    };

    private static readonly Dictionary<string, Type> AssignmentTypes = new()
    {
        [RoleService.AssignmentODataType] = typeof(RoleAssignmentBody),
    };

    public static RouteGroupBuilder MapRolesApi(this RouteGroupBuilder v1)
    {
        var definitions = v1.MapGroup("/deviceManagement/roleDefinitions");
        definitions.MapGet("", ListDefinitionsAsync).Is(RoleOperations.ListDefinitions);
        definitions.MapGet("/{id}", GetDefinitionAsync).Is(RoleOperations.GetDefinition);
        definitions.MapPost("", CreateDefinitionAsync).Is(RoleOperations.CreateDefinition);
        definitions.MapPatch("/{id}", PatchDefinitionAsync).Is(RoleOperations.UpdateDefinition);
        definitions.MapDelete("/{id}", DeleteDefinitionAsync).Is(RoleOperations.DeleteDefinition);
        definitions.MapGet("/{id}/roleAssignments", ListAssignmentsOfDefinitionAsync).Is(RoleOperations.ListAssignments);

        var assignments = v1.MapGroup("/deviceManagement/roleAssignments");
        assignments.MapGet("", ListAssignmentsAsync).Is(RoleOperations.ListAssignments);
        assignments.MapGet("/{id}", GetAssignmentAsync).Is(RoleOperations.GetAssignment);
        assignments.MapPost("", CreateAssignmentAsync).Is(RoleOperations.CreateAssignment);
        assignments.MapPatch("/{id}", PatchAssignmentAsync).Is(RoleOperations.UpdateAssignment);
        assignments.MapDelete("/{id}", DeleteAssignmentAsync).Is(RoleOperations.DeleteAssignment);

        v1.MapGet("/deviceManagement/resourceOperations", ListOperations).Is(RoleOperations.ListResourceOperations);
        return v1;
    }

    private static async Task<IResult> ListDefinitionsAsync(HttpContext context, RoleService roles) =>
        GraphResults.Collection(context, "deviceManagement/roleDefinitions", (await roles.ListDefinitionsAsync(context.CallerTenantId())).Select(d => (JsonNode?)RoleService.ToGraph(d)));

    private static async Task<IResult> GetDefinitionAsync(string id, HttpContext context, RoleService roles) =>
        GraphResults.Entity(context, "deviceManagement/roleDefinitions/$entity", RoleService.ToGraph(await roles.GetDefinitionAsync(context.CallerTenantId(), id)));

    private static async Task<IResult> CreateDefinitionAsync(HttpContext context, RoleService roles, AuditRecorder audit)
    {
        var body = await GraphRequestBody.ReadAsync<RoleDefinitionBody>(context, DefinitionTypes);
        var created = await roles.CreateDefinitionAsync(context.CallerTenantId(), Draft(body), audit);
        return GraphResults.Entity(context, "deviceManagement/roleDefinitions/$entity", RoleService.ToGraph(created), StatusCodes.Status201Created);
    }

    private static async Task<IResult> PatchDefinitionAsync(string id, HttpContext context, RoleService roles, AuditRecorder audit)
    {
        // A missing role is 404 before the body is judged, as Graph answers.
        await roles.GetDefinitionAsync(context.CallerTenantId(), id);
        var body = await GraphRequestBody.ReadAsync<RoleDefinitionBody>(context, DefinitionTypes);
        await roles.UpdateDefinitionAsync(context.CallerTenantId(), id, Draft(body) with { IsBuiltIn = null }, audit);
        return Results.NoContent();
    }

    private static async Task<IResult> DeleteDefinitionAsync(string id, HttpContext context, RoleService roles, AuditRecorder audit)
    {
        await roles.DeleteDefinitionAsync(context.CallerTenantId(), id, audit);
        return Results.NoContent();
    }

    private static async Task<IResult> ListAssignmentsAsync(HttpContext context, RoleService roles) =>
        GraphResults.Collection(context, "deviceManagement/roleAssignments", (await roles.ListAssignmentsAsync(context.CallerTenantId())).Select(a => (JsonNode?)RoleService.ToGraph(a)));

    private static async Task<IResult> ListAssignmentsOfDefinitionAsync(string id, HttpContext context, RoleService roles)
    {
        await roles.GetDefinitionAsync(context.CallerTenantId(), id);
        var assignments = (await roles.ListAssignmentsAsync(context.CallerTenantId())).Where(a => a.RoleDefinitionId == id);
        return GraphResults.Collection(context, $"deviceManagement/roleDefinitions('{id}')/roleAssignments", assignments.Select(a => (JsonNode?)RoleService.ToGraph(a)));
    }

    private static async Task<IResult> GetAssignmentAsync(string id, HttpContext context, RoleService roles) =>
        GraphResults.Entity(context, "deviceManagement/roleAssignments/$entity", RoleService.ToGraph(await roles.GetAssignmentAsync(context.CallerTenantId(), id)));

    private static async Task<IResult> CreateAssignmentAsync(HttpContext context, RoleService roles, AuditRecorder audit)
    {
        var body = await GraphRequestBody.ReadAsync<RoleAssignmentBody>(context, AssignmentTypes, RoleService.AssignmentODataType);
        if (RoleIdFromBind(body.RoleDefinitionBind) is null)
        {
            throw new InvalidRequestException(BindHint, "roleDefinition@odata.bind");
        }

        var created = await roles.CreateAssignmentAsync(context.CallerTenantId(), Draft(body), audit);
        return GraphResults.Entity(context, "deviceManagement/roleAssignments/$entity", RoleService.ToGraph(created), StatusCodes.Status201Created);
    }

    private static async Task<IResult> PatchAssignmentAsync(string id, HttpContext context, RoleService roles, AuditRecorder audit)
    {
        await roles.GetAssignmentAsync(context.CallerTenantId(), id);
        var body = await GraphRequestBody.ReadAsync<RoleAssignmentBody>(context, AssignmentTypes, RoleService.AssignmentODataType);
        if (body.RoleDefinitionBind is not null && RoleIdFromBind(body.RoleDefinitionBind) is null)
        {
            throw new InvalidRequestException(BindHint, "roleDefinition@odata.bind");
        }

        await roles.UpdateAssignmentAsync(context.CallerTenantId(), id, Draft(body), audit);
        return Results.NoContent();
    }

    private static async Task<IResult> DeleteAssignmentAsync(string id, HttpContext context, RoleService roles, AuditRecorder audit)
    {
        await roles.DeleteAssignmentAsync(context.CallerTenantId(), id, audit);
        return Results.NoContent();
    }

    private static IResult ListOperations(HttpContext context) =>
        GraphResults.Collection(context, "deviceManagement/resourceOperations", AdminPermissions.All.Select(p =>
        {
            // Microsoft.Intune_<Resource>_<Action>
            var parts = p["Microsoft.Intune_".Length..].Split('_');
            return (JsonNode?)new JsonObject
            {
                ["@odata.type"] = "#microsoft.graph.resourceOperation",
                ["id"] = p,
                ["resourceName"] = parts[0],
                ["actionName"] = parts.Length > 1 ? parts[1] : string.Empty,
                ["description"] = $"{(parts.Length > 1 ? parts[1] : string.Empty)} {parts[0]}",
            };
        }));

    private const string BindHint = "Bind the role with 'roleDefinition@odata.bind': 'https://graph.microsoft.com/v1.0/deviceManagement/roleDefinitions/{id}'.";

    private static RoleDefinitionDraft Draft(RoleDefinitionBody body)
    {
        var actions = body.RolePermissions?.SelectMany(p => p.ResourceActions ?? []).ToList();
        return new RoleDefinitionDraft(
            body.DisplayName,
            body.Description,
            actions?.SelectMany(a => a.AllowedResourceActions ?? []).ToList(),
            actions?.SelectMany(a => a.NotAllowedResourceActions ?? []).ToList(),
            body.IsBuiltIn);
    }

    private static RoleAssignmentDraft Draft(RoleAssignmentBody body) =>
        new(body.DisplayName, body.Description, RoleIdFromBind(body.RoleDefinitionBind), body.Members, body.ResourceScopes, body.RoleScopeTagIds);

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

        /// <summary>Beta: the scope tags whose objects the assignment reaches (none: Default).</summary>
        public List<string>? RoleScopeTagIds { get; set; }

        [JsonPropertyName("roleDefinition@odata.bind")]
        public string? RoleDefinitionBind { get; set; }
    }
}
