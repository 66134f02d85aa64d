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
    bool WritesDates = false)
{
    /// <summary>Set by Graph, never by a body.</summary>
    public static readonly IReadOnlySet<string> ReadOnly = new HashSet<string>(StringComparer.Ordinal) { "id", "createdDateTime", "lastModifiedDateTime" };

    /// <summary>The grain collection name: the Graph collection's last segment.</summary>
    public string Name => Collection[(Collection.LastIndexOf('/') + 1)..];
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
    public async Task<IReadOnlyList<JsonObject>> ListAsync(string tenantId, AdminObjectKind kind) =>
        (await (await GrainAsync(tenantId, kind)).ListAsync()).Select(o => ToGraph(kind, o)).ToList();

    /// <exception cref="NotFoundException">No such object in this tenant.</exception>
    public async Task<JsonObject> GetAsync(string tenantId, AdminObjectKind kind, string id) =>
        (await ListAsync(tenantId, kind)).FirstOrDefault(o => (string?)o["id"] == id) ?? throw NotFound(kind, id);

    public async Task<JsonObject> CreateAsync(string tenantId, AdminObjectKind kind, JsonObject body, AuditRecorder audit)
    {
        var properties = Writable(body);
        if (kind.Required?.FirstOrDefault(r => properties[r] is null) is { } missing)
        {
            throw new InvalidRequestException($"{missing} is required for a {kind.ODataType.TrimStart('#')}.", missing);
        }

        var created = ToGraph(kind, await (await GrainAsync(tenantId, kind)).CreateAsync(properties.ToJsonString(GraphJson.Options)));
        audit.AddResource(kind.AuditResourceType, (string)created["id"]!, (string?)created["displayName"], null, created);
        return created;
    }

    public async Task UpdateAsync(string tenantId, AdminObjectKind kind, string id, JsonObject body, AuditRecorder audit)
    {
        var before = await GetAsync(tenantId, kind, id);
        var merged = Writable(before);
        foreach (var (name, value) in Writable(body))
        {
            if (value is not null || kind.Required?.Contains(name) != true)
            {
                merged[name] = value?.DeepClone();
            }
        }

        var replaced = await (await GrainAsync(tenantId, kind)).ReplaceAsync(id, merged.ToJsonString(GraphJson.Options)) ?? throw NotFound(kind, id);
        var after = ToGraph(kind, replaced);
        audit.AddResource(kind.AuditResourceType, id, (string?)after["displayName"], before, after);
    }

    public async Task DeleteAsync(string tenantId, AdminObjectKind kind, string id, AuditRecorder audit)
    {
        var before = await GetAsync(tenantId, kind, id);
        if (!await (await GrainAsync(tenantId, kind)).DeleteAsync(id))
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

    private async Task<IAdminObjectCollectionGrain> GrainAsync(string tenantId, AdminObjectKind kind) =>
        (await router.ForTenantAsync(tenantId)).GetGrain<IAdminObjectCollectionGrain>(GrainKeys.Scoped(tenantId, kind.Name));
}

/// <summary>The Graph endpoints of an <see cref="AdminObjectKind"/>.</summary>
public static class AdminObjectsApi
{
    public static RouteGroupBuilder MapAdminObjectsApi(this RouteGroupBuilder root, AdminObjectKind kind)
    {
        var group = root.MapGroup($"/{kind.Collection}");
        var types = new Dictionary<string, Type>(StringComparer.Ordinal) { [kind.ODataType] = kind.BodyType };
        group.MapGet("", async (HttpContext context, AdminObjectService service) =>
            GraphResults.Collection(context, kind.Collection, (await service.ListAsync(Auth.AdminCaller.CallerTenantId(context), kind)).Select(o => (JsonNode?)o)))
            .Is(kind.Operations.List);
        group.MapGet("/{id}", async (string id, HttpContext context, AdminObjectService service) =>
            GraphResults.Entity(context, $"{kind.Collection}/$entity", await service.GetAsync(Auth.AdminCaller.CallerTenantId(context), kind, id)))
            .Is(kind.Operations.Get);
        group.MapPost("", async (HttpContext context, AdminObjectService service, AuditRecorder audit) =>
        {
            var created = await service.CreateAsync(Auth.AdminCaller.CallerTenantId(context), kind, await BodyAsync(context, types, kind), audit);
            return GraphResults.Created(context, $"{kind.Collection}/$entity", $"{kind.Collection}/{(string)created["id"]!}", created);
        }).Is(kind.Operations.Create);
        group.MapPatch("/{id}", async (string id, HttpContext context, AdminObjectService service, AuditRecorder audit) =>
        {
            // A missing object is 404 before the body is judged, as Graph answers.
            await service.GetAsync(Auth.AdminCaller.CallerTenantId(context), kind, id);
            await service.UpdateAsync(Auth.AdminCaller.CallerTenantId(context), kind, id, await BodyAsync(context, types, kind), audit);
            return Results.NoContent();
        }).Is(kind.Operations.Update);
        group.MapDelete("/{id}", async (string id, HttpContext context, AdminObjectService service, AuditRecorder audit) =>
        {
            await service.DeleteAsync(Auth.AdminCaller.CallerTenantId(context), kind, id, audit);
            return Results.NoContent();
        }).Is(kind.Operations.Delete);
        return root;
    }

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
