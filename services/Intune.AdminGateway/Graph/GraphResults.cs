using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.Grains.Policies;
using Microsoft.AspNetCore.Http;

namespace Intune.AdminGateway.Graph;

/// <summary>Shared helpers of the policy, group and settings endpoints: bodies, entities, collections, errors.</summary>
internal static class GraphResults
{
    public static string BaseUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/v1.0";

    public static IResult Entity(HttpContext context, string contextPath, JsonObject body, int status = StatusCodes.Status200OK)
    {
        var json = new JsonObject { ["@odata.context"] = $"{BaseUrl(context)}/$metadata#{contextPath}" };
        foreach (var (name, value) in body)
        {
            json[name] = value?.DeepClone();
        }

        return Results.Text(json.ToJsonString(GraphJson.Options), GraphJson.ContentType, Encoding.UTF8, status);
    }

    public static IResult Collection(HttpContext context, string contextPath, IEnumerable<JsonNode> values) =>
        Results.Text(
            new JsonObject
            {
                ["@odata.context"] = $"{BaseUrl(context)}/$metadata#{contextPath}",
                ["value"] = new JsonArray(values.ToArray()),
            }.ToJsonString(GraphJson.Options),
            GraphJson.ContentType,
            Encoding.UTF8);

    /// <summary>A date as Graph writes it (UTC with Z; never-set dates as 0001-01-01T00:00:00Z).</summary>
    public static JsonNode? Date(DateTimeOffset value) => JsonSerializer.SerializeToNode(value, GraphJson.Options);

    /// <summary>Reads a JSON object body; a missing or malformed body is a client error.</summary>
    public static async Task<JsonObject> ReadBodyAsync(HttpContext context)
    {
        try
        {
            return await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject
                ?? throw new PolicyValidationException("The request body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new PolicyValidationException($"The request body is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>Turns the grains' refusals into Graph errors: validation → 400, missing objects → 404.</summary>
    public static async Task<IResult> GuardAsync(Func<Task<IResult>> handler)
    {
        try
        {
            return await handler();
        }
        catch (PolicyValidationException ex)
        {
            return GraphErrors.BadRequest(ex.Message);
        }
        catch (ObjectNotFoundException ex)
        {
            return GraphErrors.NotFound(ex.Message);
        }
    }
}
