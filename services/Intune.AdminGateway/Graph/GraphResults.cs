using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
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
        foreach (var (name, value) in body)
        {
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

    public static IResult Collection(HttpContext context, string contextPath, IEnumerable<JsonNode?> values, string? nextLink = null, long? count = null)
    {
        var json = new JsonObject { ["@odata.context"] = $"{BaseUrl(context)}/$metadata#{contextPath}" };
        if (count is { } total)
        {
            json["@odata.count"] = total;
        }

        json["value"] = new JsonArray(values.ToArray());
        if (nextLink is not null)
        {
            json["@odata.nextLink"] = $"{BaseUrl(context)}/{nextLink}";
        }

        return Json(json);
    }

    public static IResult Json(JsonObject body, int status = StatusCodes.Status200OK) =>
        Results.Text(body.ToJsonString(GraphJson.Options), GraphJson.ContentType, Encoding.UTF8, status);

    /// <summary>A date as Graph writes it (UTC with Z; never-set dates as 0001-01-01T00:00:00Z).</summary>
    public static JsonNode? Date(DateTimeOffset value) => JsonSerializer.SerializeToNode(value, GraphJson.Options);
}
