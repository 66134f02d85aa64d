using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Graph.OData;
using Microsoft.AspNetCore.Http;

namespace Intune.AdminGateway.Graph;

/// <summary>Graph's success answers: entities and collections with their <c>@odata.context</c>, dates, and the service root.</summary>
internal static class GraphResults
{
    /// <summary>The service root every <c>@odata.context</c>, <c>Location</c> and <c>@odata.nextLink</c> starts with.</summary>
    public static string BaseUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/{GraphVersions.Of(context)}";

    /// <summary>An entity: <paramref name="body"/> after its <c>@odata.context</c> (<paramref name="contextPath"/> relative to <c>$metadata#</c>).</summary>
    public static IResult Entity(HttpContext context, string contextPath, JsonObject body, int status = StatusCodes.Status200OK)
    {
        var json = new JsonObject { ["@odata.context"] = $"{BaseUrl(context)}/$metadata#{contextPath}" };
        if (HttpMethods.IsGet(context.Request.Method) && context.Request.Query["$select"].ToString() is { Length: > 0 } select)
        {
            // Every entity answers $select; the names are checked against what the entity carries.
            var names = select.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.FirstOrDefault(n => !body.ContainsKey(n) && n != "*") is { } unknown)
            {
                throw new Intune.Grains.Errors.InvalidRequestException($"$select names '{unknown}', which is not a property of this object.", "$select");
            }

            body = names.Contains("*") ? body : GraphCollectionQuery.Project(body, names);
        }

        var beta = GraphVersions.IsBeta(context);
        foreach (var (name, value) in body)
        {
            if (!beta && GraphVersions.BetaOnlyProperties.Contains(name))
            {
                continue;
            }

            json[name] = value?.DeepClone();
        }

        return Json(json, status);
    }

    /// <summary>A created entity: 201 with Graph's <c>Location</c> header (<paramref name="location"/> relative to the service root).</summary>
    public static IResult Created(HttpContext context, string contextPath, string location, JsonObject body)
    {
        context.Response.Headers.Location = $"{BaseUrl(context)}/{location}";
        return Entity(context, contextPath, body, StatusCodes.Status201Created);
    }

    /// <summary>
    /// A collection the service holds whole: on a GET, the request's <c>$filter</c>, <c>$select</c>,
    /// <c>$orderby</c>, <c>$top</c>, <c>$skip</c> and <c>$count</c> are applied here
    /// (<see cref="GraphCollectionQuery"/>); <paramref name="handled"/> names options the resource
    /// applied itself (<c>$expand</c>); any other option is a 400 naming it.
    /// </summary>
    public static IResult Collection(HttpContext context, string contextPath, IEnumerable<JsonNode?> values, params string[] handled)
    {
        var all = values.ToList();
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            return Page(context, contextPath, all);
        }

        var query = GraphCollectionQuery.Apply(context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()), all, contextPath, handled);
        string? nextLink = null;
        if (query.NextSkip is { } skip)
        {
            var options = context.Request.Query.Where(q => !string.Equals(q.Key, "$skip", StringComparison.OrdinalIgnoreCase))
                .Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}")
                .Append($"$skip={skip}");
            nextLink = $"{RelativePath(context)}?{string.Join('&', options)}";
        }

        var path = query.Select is { } select ? $"{contextPath}({string.Join(',', select)})" : contextPath;
        return Page(context, path, query.Values, nextLink, query.Count);
    }

    /// <summary>A page the resource queried itself (indexed collections: managedDevices, auditEvents), with its own next link and count.</summary>
    public static IResult Page(HttpContext context, string contextPath, IEnumerable<JsonNode?> values, string? nextLink = null, long? count = null)
    {
        var json = new JsonObject { ["@odata.context"] = $"{BaseUrl(context)}/$metadata#{contextPath}" };
        if (count is { } total)
        {
            json["@odata.count"] = total;
        }

        var beta = GraphVersions.IsBeta(context);
        json["value"] = new JsonArray(values.Select(v => beta || v is not JsonObject o ? v : WithoutBetaOnly(o)).ToArray());
        if (nextLink is not null)
        {
            json["@odata.nextLink"] = $"{BaseUrl(context)}/{nextLink}";
        }

        return Json(json);
    }

    /// <summary>The request path under its version root, without the leading slash.</summary>
    private static string RelativePath(HttpContext context) =>
        context.Request.Path.Value!.TrimStart('/') is var path && path.IndexOf('/') is var slash and >= 0 ? path[(slash + 1)..] : string.Empty;

    private static JsonObject WithoutBetaOnly(JsonObject value)
    {
        foreach (var name in GraphVersions.BetaOnlyProperties.Where(value.ContainsKey).ToList())
        {
            value.Remove(name);
        }

        return value;
    }

    public static IResult Json(JsonObject body, int status = StatusCodes.Status200OK) =>
        Results.Text(body.ToJsonString(GraphJson.Options), GraphJson.ContentType, Encoding.UTF8, status);

    /// <summary>A date as Graph writes it (UTC with Z; never-set dates as 0001-01-01T00:00:00Z).</summary>
    public static JsonNode? Date(DateTimeOffset value) => JsonSerializer.SerializeToNode(value, GraphJson.Options);
}
