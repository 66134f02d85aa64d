using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Operations;
using Intune.Grains.Audit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Resources.AuditEvents;

/// <summary><c>/v1.0/deviceManagement/auditEvents</c> with <c>getAuditCategories()</c> and <c>getAuditActivityTypes(category='…')</c>.</summary>
public static class AuditEventsApi
{
    private const string Collection = "deviceManagement/auditEvents";

    public static RouteGroupBuilder MapAuditEventsApi(this RouteGroupBuilder v1)
    {
        var audit = v1.MapGroup("/deviceManagement/auditEvents");
        audit.MapGet("", ListAsync).Is(AuditEventOperations.List);
        audit.MapGet("/getAuditCategories()", (HttpContext context) => GraphResults.Collection(context, "Collection(Edm.String)", AuditLog.Categories.Select(c => (JsonNode?)c)))
            .Is(AuditEventOperations.Categories);
        audit.MapGet("/getAuditActivityTypes(category='{category}')", ActivityTypesAsync).Is(AuditEventOperations.ActivityTypes);
        audit.MapGet("/{id}", GetAsync).Is(AuditEventOperations.Get);
        return v1;
    }

    public static JsonObject ToGraph(AuditEvent auditEvent)
    {
        var node = JsonSerializer.SerializeToNode(auditEvent, GraphJson.Options)!.AsObject();
        node.Insert(0, "@odata.type", "#microsoft.graph.auditEvent");
        return node;
    }

    private static async Task<IResult> ListAsync(HttpContext context, AuditEventService events)
    {
        var query = AuditEventODataQuery.Parse(context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()));
        var page = await events.ListAsync(context.CallerTenantId(), query);
        return GraphResults.Page(
            context,
            Collection,
            page.Events.Select(e => (JsonNode?)ToGraph(e)),
            page.Next is { } next ? $"{Collection}?{query.NextLinkQuery(next)}" : null);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, AuditLog log) =>
        GraphResults.Entity(context, $"{Collection}/$entity", ToGraph(await log.GetAsync(context.CallerTenantId(), id)));

    private static async Task<IResult> ActivityTypesAsync(string category, HttpContext context, AuditLog log) =>
        GraphResults.Collection(context, "Collection(Edm.String)", (await log.ActivityTypesAsync(context.CallerTenantId(), category)).Select(t => (JsonNode?)t));
}
