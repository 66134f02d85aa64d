using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Operations;
using Intune.Grains;
using Intune.Grains.AdminObjects;
using Intune.Grains.Errors;
using Intune.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Resources.AdminObjects;

/// <summary>
/// A Graph collection of self-contained objects kept in an <see cref="IAdminObjectCollectionGrain"/>:
/// its path, its <c>@odata.type</c>, the body type that validates it (unknown properties, wrong
/// types and limits are 400s from <see cref="GraphRequestBody"/>), the properties Graph computes
/// (never taken from a body, so a restore can send back what it read), and its operations.
/// </summary>
public sealed record AdminObjectKind(
    string Collection,
    string ODataType,
    Type BodyType,
    string AuditResourceType,
    AdminObjectOperations Operations,
    IReadOnlyList<string>? Required = null,
    bool WritesDates = false,
    AdminObjectKind? Parent = null)
{
    /// <summary>Set by Graph, never by a body.</summary>
    public static readonly IReadOnlySet<string> ReadOnly = new HashSet<string>(StringComparer.Ordinal) { "id", "createdDateTime", "lastModifiedDateTime" };

    /// <summary>The grain collection name: the Graph collection's last segment.</summary>
    public string Name => Collection[(Collection.LastIndexOf('/') + 1)..];

    /// <summary>The collection as routed: a nested kind lives under <c>{parent}/{parentId}/</c>.</summary>
    public string Route => Parent is null ? Collection : $"{Parent.Collection}/{{parentId}}/{Name}";
}

public sealed record AdminObjectOperations(AdminOperation List, AdminOperation Get, AdminOperation Create, AdminOperation Update, AdminOperation Delete)
{
    /// <summary>The five operations of a collection <paramref name="name"/>, audited as <paramref name="resourceType"/> under <paramref name="category"/>.</summary>
    public static AdminObjectOperations For(string name, string resourceType, string category, string read, string create, string update, string delete) => new(
        AdminOperation.Read($"{name}.list", read),
        AdminOperation.Read($"{name}.get", read),
        AdminOperation.Change($"{name}.create", create, resourceType, "Create", category),
        AdminOperation.Change($"{name}.update", update, resourceType, "Patch", category),
        AdminOperation.Change($"{name}.delete", delete, resourceType, "Delete", category));
}

/// <summary>The application layer of every <see cref="AdminObjectKind"/>: list, get, create (201), PATCH (204), DELETE (204).</summary>
public sealed class AdminObjectService(IScaleUnitRouter router)
{
    /// <param name="parentId">For a nested kind, the object it belongs to (which must exist: else 404).</param>
    public async Task<IReadOnlyList<JsonObject>> ListAsync(string tenantId, AdminObjectKind kind, string? parentId = null) =>
        (await (await GrainAsync(tenantId, kind, parentId)).ListAsync()).Select(o => ToGraph(kind, o)).ToList();

    /// <exception cref="NotFoundException">No such object in this tenant.</exception>
    public async Task<JsonObject> GetAsync(string tenantId, AdminObjectKind kind, string id, string? parentId = null) =>
        (await ListAsync(tenantId, kind, parentId)).FirstOrDefault(o => (string?)o["id"] == id) ?? throw NotFound(kind, id);

    public async Task<JsonObject> CreateAsync(string tenantId, AdminObjectKind kind, JsonObject body, AuditRecorder audit, string? parentId = null)
    {
        var properties = Writable(body);
        if (kind.Required?.FirstOrDefault(r => properties[r] is null) is { } missing)
        {
            throw new InvalidRequestException($"{missing} is required for a {kind.ODataType.TrimStart('#')}.", missing);
        }

        var created = ToGraph(kind, await (await GrainAsync(tenantId, kind, parentId)).CreateAsync(properties.ToJsonString(GraphJson.Options)));
        audit.AddResource(kind.AuditResourceType, (string)created["id"]!, (string?)created["displayName"], null, created);
        return created;
    }

    public async Task UpdateAsync(string tenantId, AdminObjectKind kind, string id, JsonObject body, AuditRecorder audit, string? parentId = null)
    {
        var before = await GetAsync(tenantId, kind, id, parentId);
        var merged = Writable(before);
        foreach (var (name, value) in Writable(body))
        {
            if (value is not null || kind.Required?.Contains(name) != true)
            {
                merged[name] = value?.DeepClone();
            }
        }

        var replaced = await (await GrainAsync(tenantId, kind, parentId)).ReplaceAsync(id, merged.ToJsonString(GraphJson.Options)) ?? throw NotFound(kind, id);
        var after = ToGraph(kind, replaced);
        audit.AddResource(kind.AuditResourceType, id, (string?)after["displayName"], before, after);
    }

    public async Task DeleteAsync(string tenantId, AdminObjectKind kind, string id, AuditRecorder audit, string? parentId = null)
    {
        var before = await GetAsync(tenantId, kind, id, parentId);
        if (!await (await GrainAsync(tenantId, kind, parentId)).DeleteAsync(id))
        {
            throw NotFound(kind, id);
        }

        audit.AddResource(kind.AuditResourceType, id, (string?)before["displayName"], before, null);
    }

    /// <summary>The body's properties without annotations and without what Graph computes.</summary>
    private static JsonObject Writable(JsonObject body)
    {
        var writable = new JsonObject();
        foreach (var (name, value) in body)
        {
            if (!name.StartsWith('@') && !AdminObjectKind.ReadOnly.Contains(name))
            {
                writable[name] = value?.DeepClone();
            }
        }

        return writable;
    }

    private static JsonObject ToGraph(AdminObjectKind kind, AdminObject stored)
    {
        var json = new JsonObject { ["@odata.type"] = kind.ODataType, ["id"] = stored.Id };
        if (kind.WritesDates)
        {
            json["createdDateTime"] = GraphResults.Date(stored.CreatedDateTime);
            json["lastModifiedDateTime"] = GraphResults.Date(stored.LastModifiedDateTime);
        }

        foreach (var (name, value) in JsonNode.Parse(stored.Json)!.AsObject())
        {
            json[name] = value?.DeepClone();
        }

        return json;
    }

    private static NotFoundException NotFound(AdminObjectKind kind, string id) => new($"No {kind.ODataType["#microsoft.graph.".Length..]} with id '{id}' exists in this tenant.");

    private async Task<IAdminObjectCollectionGrain> GrainAsync(string tenantId, AdminObjectKind kind, string? parentId)
    {
        if (kind.Parent is { } parent)
        {
            // The parent must exist in this tenant: a nested collection of nothing (or of another tenant's object) is not found.
            await GetAsync(tenantId, parent, parentId ?? throw new InvalidOperationException($"{kind.Name} needs its parent's id."));
            return (await router.ForTenantAsync(tenantId)).GetGrain<IAdminObjectCollectionGrain>(GrainKeys.Scoped(tenantId, $"{parent.Name}.{parentId}.{kind.Name}"));
        }

        return (await router.ForTenantAsync(tenantId)).GetGrain<IAdminObjectCollectionGrain>(GrainKeys.Scoped(tenantId, kind.Name));
    }
}

/// <summary>The Graph endpoints of an <see cref="AdminObjectKind"/>.</summary>
public static class AdminObjectsApi
{
    public static RouteGroupBuilder MapAdminObjectsApi(this RouteGroupBuilder root, AdminObjectKind kind)
    {
        var group = root.MapGroup($"/{kind.Route}");
        var types = new Dictionary<string, Type>(StringComparer.Ordinal) { [kind.ODataType] = kind.BodyType };
        string Path(HttpContext context) => kind.Route.Replace("{parentId}", ParentId(context), StringComparison.Ordinal);
        group.MapGet("", async (HttpContext context, AdminObjectService service) =>
            GraphResults.Collection(context, Path(context), (await service.ListAsync(Auth.AdminCaller.CallerTenantId(context), kind, ParentId(context))).Select(o => (JsonNode?)o)))
            .Is(kind.Operations.List);
        group.MapGet("/{id}", async (string id, HttpContext context, AdminObjectService service) =>
            GraphResults.Entity(context, $"{Path(context)}/$entity", await service.GetAsync(Auth.AdminCaller.CallerTenantId(context), kind, id, ParentId(context))))
            .Is(kind.Operations.Get);
        group.MapPost("", async (HttpContext context, AdminObjectService service, AuditRecorder audit) =>
        {
            var created = await service.CreateAsync(Auth.AdminCaller.CallerTenantId(context), kind, await BodyAsync(context, types, kind), audit, ParentId(context));
            return GraphResults.Created(context, $"{Path(context)}/$entity", $"{Path(context)}/{(string)created["id"]!}", created);
        }).Is(kind.Operations.Create);
        group.MapPatch("/{id}", async (string id, HttpContext context, AdminObjectService service, AuditRecorder audit) =>
        {
            // A missing object is 404 before the body is judged, as Graph answers.
            await service.GetAsync(Auth.AdminCaller.CallerTenantId(context), kind, id, ParentId(context));
            await service.UpdateAsync(Auth.AdminCaller.CallerTenantId(context), kind, id, await BodyAsync(context, types, kind), audit, ParentId(context));
            return Results.NoContent();
        }).Is(kind.Operations.Update);
        group.MapDelete("/{id}", async (string id, HttpContext context, AdminObjectService service, AuditRecorder audit) =>
        {
            await service.DeleteAsync(Auth.AdminCaller.CallerTenantId(context), kind, id, audit, ParentId(context));
            return Results.NoContent();
        }).Is(kind.Operations.Delete);
        return root;
    }

    private static string? ParentId(HttpContext context) => context.Request.RouteValues["parentId"]?.ToString();

    /// <summary>Validated against the kind's body type, then kept as the JSON the admin sent (only the properties sent).</summary>
    private static async Task<JsonObject> BodyAsync(HttpContext context, Dictionary<string, Type> types, AdminObjectKind kind)
    {
        var dto = await ReadTypedAsync(context, types, kind);
        var json = JsonSerializer.SerializeToNode(dto, kind.BodyType, GraphJson.Options)!.AsObject();
        foreach (var name in json.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            json.Remove(name);
        }

        return json;
    }

    private static Task<object> ReadTypedAsync(HttpContext context, Dictionary<string, Type> types, AdminObjectKind kind) =>
        GraphRequestBody.ReadAsync<object>(context, types, kind.ODataType);
}
