using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Auth;
using Intune.Grains.Audit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Graph;

/// <summary><c>/v1.0/deviceManagement/auditEvents</c> with <c>getAuditCategories()</c> and <c>getAuditActivityTypes(category='…')</c>.</summary>
public static class AuditEventsApi
{
    public static RouteGroupBuilder MapAuditEventsApi(this RouteGroupBuilder v1)
    {
        var audit = v1.MapGroup("/deviceManagement/auditEvents");
        audit.MapGet("", ListAsync).RequirePermission(AdminPermissions.AuditRead);
        audit.MapGet("/getAuditCategories()", (HttpContext context) => Collection(context, "Collection(Edm.String)", AuditLog.Categories.Select(c => (JsonNode?)c)))
            .RequirePermission(AdminPermissions.AuditRead);
        audit.MapGet("/getAuditActivityTypes(category='{category}')", ActivityTypesAsync).RequirePermission(AdminPermissions.AuditRead);
        audit.MapGet("/{id}", GetAsync).RequirePermission(AdminPermissions.AuditRead);
        return v1;
    }

    public static JsonObject ToGraph(AuditEvent auditEvent)
    {
        var node = JsonSerializer.SerializeToNode(auditEvent, GraphJson.Options)!.AsObject();
        node.Insert(0, "@odata.type", "#microsoft.graph.auditEvent");
        return node;
    }

    private static async Task<IResult> ListAsync(HttpContext context, AuditLog log)
    {
        AuditEventQuery query;
        try
        {
            query = AuditEventQuery.Parse(context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()));
        }
        catch (InvalidQueryException e)
        {
            return GraphErrors.BadRequest(e.Message);
        }

        var events = (await log.ListAsync(context.User.GetTenantId()!, query.Since))
            .Where(e => query.After is not { } after || e.Id.CompareTo(after) < 0)
            .Where(query.Filter)
            .Take(query.Top + 1)
            .ToList();
        var body = new JsonObject
        {
            ["@odata.context"] = $"{BaseUrl(context)}/$metadata#deviceManagement/auditEvents",
            ["value"] = new JsonArray(events.Take(query.Top).Select(e => (JsonNode)ToGraph(e)).ToArray()),
        };
        if (events.Count > query.Top)
        {
            body["@odata.nextLink"] = $"{BaseUrl(context)}/deviceManagement/auditEvents?{query.NextLinkQuery(events[query.Top - 1].Id)}";
        }

        return Results.Text(body.ToJsonString(GraphJson.Options), GraphJson.ContentType, Encoding.UTF8);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, AuditLog log)
    {
        var found = Guid.TryParse(id, out var guid) ? await log.GetAsync(context.User.GetTenantId()!, guid) : null;
        if (found is null)
        {
            return GraphErrors.NotFound($"No auditEvent with id '{id}' exists in this tenant.");
        }

        var body = ToGraph(found);
        body.Insert(0, "@odata.context", $"{BaseUrl(context)}/$metadata#deviceManagement/auditEvents/$entity");
        return Results.Text(body.ToJsonString(GraphJson.Options), GraphJson.ContentType, Encoding.UTF8);
    }

    private static async Task<IResult> ActivityTypesAsync(string category, HttpContext context, AuditLog log) =>
        Collection(context, "Collection(Edm.String)", (await log.ActivityTypesAsync(context.User.GetTenantId()!, category)).Select(t => (JsonNode?)t));

    private static IResult Collection(HttpContext context, string type, IEnumerable<JsonNode?> values)
    {
        var body = new JsonObject
        {
            ["@odata.context"] = $"{BaseUrl(context)}/$metadata#{type}",
            ["value"] = new JsonArray(values.ToArray()),
        };
        return Results.Text(body.ToJsonString(GraphJson.Options), GraphJson.ContentType, Encoding.UTF8);
    }

    private static string BaseUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/v1.0";
}
