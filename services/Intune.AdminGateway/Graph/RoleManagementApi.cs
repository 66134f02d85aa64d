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
    private static readonly Dictionary<string, Type> DefinitionTypes = new()
    {
        [RoleManagement.DefinitionODataType] = typeof(RoleDefinitionBody),
        ["#microsoft.graph.roleDefinition"] = typeof(RoleDefinitionBody),
    };

    private static readonly Dictionary<string, Type> AssignmentTypes = new()
    {
        [RoleManagement.AssignmentODataType] = typeof(RoleAssignmentBody),
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
        assignments.MapPatch("/{id}", PatchAssignmentAsync).RequirePermission(AdminPermissions.RolesWrite);
        assignments.MapDelete("/{id}", DeleteAssignmentAsync).RequirePermission(AdminPermissions.RolesWrite);

        v1.MapGet("/deviceManagement/resourceOperations", ListOperations).RequirePermission(AdminPermissions.RolesRead);
        return v1;
    }

    private static async Task<IResult> ListDefinitionsAsync(HttpContext context, RoleManagement roles) =>
        Collection(context, "roleDefinitions", (await roles.ListDefinitionsAsync(Tenant(context))).Select(RoleManagement.ToGraph));

    private static async Task<IResult> GetDefinitionAsync(string id, HttpContext context, RoleManagement roles) =>
        await roles.GetDefinitionAsync(Tenant(context), id) is { } found
            ? Entity(context, "roleDefinitions", RoleManagement.ToGraph(found), StatusCodes.Status200OK)
            : DefinitionNotFound(id);

    private static async Task<IResult> CreateDefinitionAsync(HttpContext context, RoleManagement roles, AuditRecorder audit)
    {
        var body = await GraphRequestBody.ReadAsync<RoleDefinitionBody>(context, DefinitionTypes);
        return body.IsValid
            ? await GuardAsync(async () => Entity(context, "roleDefinitions", RoleManagement.ToGraph(await roles.CreateDefinitionAsync(Tenant(context), Draft(body.Value!), audit)), StatusCodes.Status201Created))
            : body.Error!;
    }

    private static async Task<IResult> PatchDefinitionAsync(string id, HttpContext context, RoleManagement roles, AuditRecorder audit)
    {
        // A missing role is 404 before the body is judged, as Graph answers.
        if (await roles.GetDefinitionAsync(Tenant(context), id) is null)
        {
            return DefinitionNotFound(id);
        }

        var body = await GraphRequestBody.ReadAsync<RoleDefinitionBody>(context, DefinitionTypes);
        return body.IsValid
            ? await GuardAsync(async () => await roles.UpdateDefinitionAsync(Tenant(context), id, Draft(body.Value!) with { IsBuiltIn = null }, audit) is null ? DefinitionNotFound(id) : Results.NoContent())
            : body.Error!;
    }

    private static Task<IResult> DeleteDefinitionAsync(string id, HttpContext context, RoleManagement roles, AuditRecorder audit) =>
        GuardAsync(async () => await roles.DeleteDefinitionAsync(Tenant(context), id, audit) ? Results.NoContent() : DefinitionNotFound(id));

    private static async Task<IResult> ListAssignmentsAsync(HttpContext context, RoleManagement roles) =>
        Collection(context, "roleAssignments", (await roles.ListAssignmentsAsync(Tenant(context))).Select(RoleManagement.ToGraph));

    private static async Task<IResult> GetAssignmentAsync(string id, HttpContext context, RoleManagement roles) =>
        await roles.GetAssignmentAsync(Tenant(context), id) is { } found
            ? Entity(context, "roleAssignments", RoleManagement.ToGraph(found), StatusCodes.Status200OK)
            : AssignmentNotFound(id);

    private static async Task<IResult> CreateAssignmentAsync(HttpContext context, RoleManagement roles, AuditRecorder audit)
    {
        var body = await GraphRequestBody.ReadAsync<RoleAssignmentBody>(context, AssignmentTypes, RoleManagement.AssignmentODataType);
        if (!body.IsValid)
        {
            return body.Error!;
        }

        if (RoleIdFromBind(body.Value!.RoleDefinitionBind) is null)
        {
            audit.Describe("Create RoleAssignment", "Create", "Role");
            return GraphErrors.BadRequest(BindHint);
        }

        return await GuardAsync(async () => Entity(context, "roleAssignments", RoleManagement.ToGraph(await roles.CreateAssignmentAsync(Tenant(context), Draft(body.Value!), audit)), StatusCodes.Status201Created));
    }

    private static async Task<IResult> PatchAssignmentAsync(string id, HttpContext context, RoleManagement roles, AuditRecorder audit)
    {
        if (await roles.GetAssignmentAsync(Tenant(context), id) is null)
        {
            return AssignmentNotFound(id);
        }

        var body = await GraphRequestBody.ReadAsync<RoleAssignmentBody>(context, AssignmentTypes, RoleManagement.AssignmentODataType);
        if (!body.IsValid)
        {
            return body.Error!;
        }

        if (body.Value!.RoleDefinitionBind is not null && RoleIdFromBind(body.Value.RoleDefinitionBind) is null)
        {
            audit.Describe("Patch RoleAssignment", "Patch", "Role");
            return GraphErrors.BadRequest(BindHint);
        }

        return await GuardAsync(async () => await roles.UpdateAssignmentAsync(Tenant(context), id, Draft(body.Value!), audit) is null ? AssignmentNotFound(id) : Results.NoContent());
    }

    private static Task<IResult> DeleteAssignmentAsync(string id, HttpContext context, RoleManagement roles, AuditRecorder audit) =>
        GuardAsync(async () => await roles.DeleteAssignmentAsync(Tenant(context), id, audit) ? Results.NoContent() : AssignmentNotFound(id));

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
        new(body.DisplayName, body.Description, RoleIdFromBind(body.RoleDefinitionBind), body.Members, body.ResourceScopes);

    /// <summary>The application layer's refusals as Graph's 400 (bad input and refused state alike, as Intune answers).</summary>
    private static async Task<IResult> GuardAsync(Func<Task<IResult>> handler)
    {
        try
        {
            return await handler();
        }
        catch (Exception e) when (e is AdminInputException or AdminPreconditionException)
        {
            return GraphErrors.BadRequest(e.Message);
        }
    }

    private static IResult DefinitionNotFound(string id) => GraphErrors.NotFound($"No roleDefinition with id '{id}' exists in this tenant.");

    private static IResult AssignmentNotFound(string id) => GraphErrors.NotFound($"No roleAssignment with id '{id}' exists in this tenant.");

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
