using System.Text.Json.Nodes;
using Intune.Grains.Errors;

namespace Intune.AdminGateway.Graph.Batch;

/// <summary>One request of a JSON batch, checked: a relative URL under the batch's version, a known method, its dependencies.</summary>
internal sealed record GraphBatchStep(string Id, string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, JsonNode? Body, IReadOnlyList<string> DependsOn);

/// <summary>
/// The body of <c>POST /$batch</c> read whole and judged before anything runs, so a bad batch
/// changes nothing: at most <see cref="MaxRequests"/> requests, unique ids, relative URLs, no
/// nested batch, every <c>dependsOn</c> naming a request of the batch and no cycle. Returns the
/// steps in an order that runs each after what it depends on (otherwise the order sent).
/// </summary>
internal static class GraphBatchRequest
{
    /// <summary>Graph's limit on requests per batch.</summary>
    public const int MaxRequests = 20;

    private static readonly string[] Methods = ["GET", "POST", "PATCH", "PUT", "DELETE"];

    public static IReadOnlyList<GraphBatchStep> Parse(JsonObject body, string version)
    {
        if (body["requests"] is not JsonArray requests)
        {
            throw Invalid("A batch body is {\"requests\":[{\"id\",\"method\",\"url\"}, …]}; 'requests' is missing or not an array.");
        }

        if (requests.Count == 0)
        {
            throw Invalid("The batch has no requests.");
        }

        if (requests.Count > MaxRequests)
        {
            throw Invalid($"The batch has {requests.Count} requests; a batch may hold at most {MaxRequests}.");
        }

        var steps = new List<GraphBatchStep>();
        foreach (var (node, index) in requests.Select((n, i) => (n, i)))
        {
            steps.Add(Step(node as JsonObject ?? throw Invalid($"requests[{index}] is not an object."), index, version));
        }

        foreach (var duplicate in steps.GroupBy(s => s.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            throw Invalid($"The id '{duplicate.Key}' is used by more than one request of the batch.");
        }

        var ids = steps.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var step in steps)
        {
            if (step.DependsOn.FirstOrDefault(d => !ids.Contains(d)) is { } missing)
            {
                throw Invalid($"Request '{step.Id}' depends on '{missing}', which is not a request of this batch.");
            }
        }

        return InDependencyOrder(steps);
    }

    private static GraphBatchStep Step(JsonObject request, int index, string version)
    {
        var id = Text(request, "id", index) ?? throw Invalid($"requests[{index}] has no 'id'.");
        var method = (Text(request, "method", index) ?? throw Invalid($"Request '{id}' has no 'method'.")).ToUpperInvariant();
        if (!Methods.Contains(method))
        {
            throw Invalid($"Request '{id}' has method '{method}'; a batch request is one of {string.Join(", ", Methods)}.");
        }

        var url = Text(request, "url", index) ?? throw Invalid($"Request '{id}' has no 'url'.");
        var (path, query) = RelativeUrl(id, url, version);

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (request["headers"] is { } headerNode)
        {
            if (headerNode is not JsonObject headerObject)
            {
                throw Invalid($"Request '{id}' has 'headers' that are not an object of names and values.");
            }

            foreach (var (name, value) in headerObject)
            {
                if (value is not JsonValue v || !v.TryGetValue<string>(out var text) || text.Any(char.IsControl) || name.Length == 0 || name.Any(c => char.IsControl(c) || c is ':' or ' '))
                {
                    throw Invalid($"Request '{id}' has header '{name}' whose value is not a string of printable characters.");
                }

                headers[name] = text;
            }
        }

        var body = request["body"];
        if (body is not null && method is "GET" or "DELETE")
        {
            throw Invalid($"Request '{id}' is a {method} with a body; only POST, PATCH and PUT carry one.");
        }

        var dependsOn = new List<string>();
        if (request["dependsOn"] is { } dependsNode)
        {
            if (dependsNode is not JsonArray array || array.Any(d => d is not JsonValue dv || !dv.TryGetValue<string>(out _)))
            {
                throw Invalid($"Request '{id}' has a 'dependsOn' that is not an array of request ids.");
            }

            dependsOn.AddRange(array.Select(d => d!.GetValue<string>()));
        }

        return new GraphBatchStep(id, method, path, query, headers, body?.DeepClone(), dependsOn);
    }

    /// <summary>
    /// The path under the batch's version root, as Graph takes it (<c>/deviceManagement/…</c> or
    /// without the slash). An absolute URL, another version's root, <c>..</c> or a nested batch is refused.
    /// </summary>
    private static (string Path, string Query) RelativeUrl(string id, string url, string version)
    {
        if (url.Length == 0 || url.Length > 2048 || url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) || url.Contains("://", StringComparison.Ordinal) || url.StartsWith("//", StringComparison.Ordinal))
        {
            throw Invalid($"Request '{id}' has url '{Shorten(url)}'; a batch url is relative to /{version}, for example /deviceManagement/managedDevices.");
        }

        var queryAt = url.IndexOf('?', StringComparison.Ordinal);
        var path = "/" + (queryAt < 0 ? url : url[..queryAt]).TrimStart('/');
        var query = queryAt < 0 ? string.Empty : url[queryAt..];
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
        {
            throw Invalid($"Request '{id}' has url '{url}', which names no resource.");
        }

        if (segments.Any(s => Uri.UnescapeDataString(s) is "." or ".." || s.Contains('\\', StringComparison.Ordinal)))
        {
            throw Invalid($"Request '{id}' has url '{Shorten(url)}'; '.' and '..' segments are not allowed.");
        }

        if (GraphVersions.All.Contains(segments[0], StringComparer.OrdinalIgnoreCase))
        {
            throw Invalid($"Request '{id}' has url '{Shorten(url)}'; batch urls are relative to the batch's own root /{version} and do not name a version.");
        }

        if (segments.Any(s => string.Equals(Uri.UnescapeDataString(s), "$batch", StringComparison.OrdinalIgnoreCase)))
        {
            throw Invalid($"Request '{id}' is a batch inside a batch; send it on its own.");
        }

        return (path, query);
    }

    /// <summary>Kahn's order over <c>dependsOn</c>, ties kept in the order sent; a cycle is refused, naming its requests.</summary>
    private static IReadOnlyList<GraphBatchStep> InDependencyOrder(List<GraphBatchStep> steps)
    {
        var ordered = new List<GraphBatchStep>(steps.Count);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var pending = new List<GraphBatchStep>(steps);
        while (pending.Count > 0)
        {
            var ready = pending.FirstOrDefault(s => s.DependsOn.All(done.Contains));
            if (ready is null)
            {
                throw Invalid($"The batch's dependsOn form a cycle among requests {string.Join(", ", pending.Select(s => $"'{s.Id}'"))}.");
            }

            ordered.Add(ready);
            done.Add(ready.Id);
            pending.Remove(ready);
        }

        return ordered;
    }

    private static string? Text(JsonObject request, string name, int index)
    {
        var node = request[name];
        if (node is null)
        {
            return null;
        }

        if (node is not JsonValue value || !value.TryGetValue<string>(out var text))
        {
            throw Invalid($"requests[{index}].{name} must be a string.");
        }

        return text.Length == 0 ? null : text;
    }

    private static string Shorten(string url) => url.Length <= 120 ? url : url[..120] + "…";

    private static InvalidRequestException Invalid(string message) => new(message, "requests");
}
