using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Errors;
using Intune.Grains.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace Intune.AdminGateway.Graph.Batch;

/// <summary>
/// Graph JSON batching, <c>POST /v1.0/$batch</c> and <c>/beta/$batch</c>. Each request of the
/// batch is replayed as a request of its own through the rest of the admin pipeline (routing,
/// authentication, authorization, the per-tenant rate limiter, the tenant-move gate, the
/// endpoint with its permission and audit filter): nothing here decides what a caller may do,
/// so a sub-request is authorized, audited and throttled exactly as if it had been sent alone,
/// and its 429 keeps its <c>Retry-After</c>. The batch itself only needs a valid admin token
/// (the same policy every endpoint requires) so that an anonymous caller gets one 401, not twenty.
/// A batch that does not parse is refused whole before any of it runs; a request whose
/// dependency did not succeed is answered 424 without running, as Graph does.
/// </summary>
internal sealed class GraphBatch(RequestDelegate next)
{
    public static bool IsBatch(HttpRequest request) =>
        GraphVersions.Prefix(request.Path) is { } version
        && string.Equals(request.Path.Value!.TrimEnd('/'), $"/{version}/$batch", StringComparison.OrdinalIgnoreCase);

    public async Task InvokeAsync(HttpContext context, IAuthorizationService authorization)
    {
        var version = GraphVersions.Of(context);
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await GraphErrors.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "BadRequest", $"/{version}/$batch answers POST only.");
            return;
        }

        var authenticated = await context.AuthenticateAsync();
        if (!authenticated.Succeeded)
        {
            await context.ChallengeAsync();
            return;
        }

        if (!(await authorization.AuthorizeAsync(authenticated.Principal, AdminGatewayExtensions.AdminPolicy)).Succeeded)
        {
            await context.ForbidAsync();
            return;
        }

        IReadOnlyList<GraphBatchStep> steps;
        try
        {
            steps = GraphBatchRequest.Parse(await GraphRequestBody.ReadRequiredObjectAsync(context), version);
        }
        catch (RequestRefusedException refused)
        {
            await GraphErrorFilter.ToGraph(context, refused).ExecuteAsync(context);
            return;
        }

        var statuses = new Dictionary<string, int>(StringComparer.Ordinal);
        var answers = new List<JsonObject>(steps.Count);
        foreach (var step in steps)
        {
            var answer = step.DependsOn.FirstOrDefault(d => statuses[d] is < 200 or >= 300) is { } failed
                ? FailedDependency(context, step, failed)
                : await RunAsync(context, version, step);
            statuses[step.Id] = (int)answer["status"]!;
            answers.Add(answer);
        }

        // Graph answers in any order; ours is the order sent, which tools that zip by position also expect.
        var order = steps.Select(s => s.Id).ToList();
        var body = new JsonObject { ["responses"] = new JsonArray([.. answers.OrderBy(a => order.IndexOf((string)a["id"]!))]) };
        await GraphResults.Json(body).ExecuteAsync(context);
    }

    private async Task<JsonObject> RunAsync(HttpContext parent, string version, GraphBatchStep step)
    {
        await using var scope = parent.RequestServices.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        using var responseBody = new MemoryStream();
        var sub = SubRequest(parent, version, step, scope.ServiceProvider, responseBody);
        try
        {
            await next(sub);
        }
        catch (Exception error) when (!sub.Response.HasStarted && responseBody.Length == 0 && error is not OperationCanceledException)
        {
            await AdminGatewayExtensions.WriteUnhandledAsync(sub, error);
        }

        return Answer(step.Id, sub.Response, responseBody.ToArray());
    }

    /// <summary>
    /// A request of its own for the step: the batch's connection (its port and client address),
    /// host, scheme and bearer token, the step's method, path, query, headers and body, and a DI
    /// scope of its own (the audit recorder is per request).
    /// </summary>
    private static DefaultHttpContext SubRequest(HttpContext parent, string version, GraphBatchStep step, IServiceProvider services, Stream responseBody)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        foreach (var (name, value) in step.Headers)
        {
            headers[name] = value;
        }

        headers.Host = parent.Request.Headers.Host;
        headers.Authorization = parent.Request.Headers.Authorization;
        if (parent.Request.Headers["client-request-id"] is { Count: > 0 } clientRequestId && !headers.ContainsKey("client-request-id"))
        {
            headers["client-request-id"] = clientRequestId;
        }

        var body = step.Body is null ? [] : Encoding.UTF8.GetBytes(step.Body.ToJsonString(GraphJson.Options));
        if (body.Length > 0 && !headers.ContainsKey(HeaderNames.ContentType))
        {
            headers.ContentType = "application/json";
        }

        headers.ContentLength = body.Length;
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Method = step.Method,
            Scheme = parent.Request.Scheme,
            Protocol = parent.Request.Protocol,
            PathBase = parent.Request.PathBase,
            Path = $"/{version}{step.Path}",
            QueryString = step.Query,
            RawTarget = $"/{version}{step.Path}{step.Query}",
            Headers = headers,
            Body = new MemoryStream(body, writable: false),
        });
        features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(responseBody));
        if (parent.Features.Get<IHttpConnectionFeature>() is { } connection)
        {
            features.Set(connection);
        }

        features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature { RequestAborted = parent.RequestAborted });
        features.Set<IHttpRequestIdentifierFeature>(new HttpRequestIdentifierFeature { TraceIdentifier = $"{parent.TraceIdentifier}-{step.Id}" });
        features.Set<IServiceProvidersFeature>(new ServiceProvidersFeature { RequestServices = services });
        return new DefaultHttpContext(features);
    }

    /// <summary>One entry of <c>responses</c>: id, status, the response's headers and its JSON body (text bodies as a string).</summary>
    private static JsonObject Answer(string id, HttpResponse response, byte[] body)
    {
        var headers = new JsonObject();
        foreach (var (name, value) in response.Headers)
        {
            headers[name] = value.ToString();
        }

        var answer = new JsonObject { ["id"] = id, ["status"] = response.StatusCode, ["headers"] = headers };
        if (body.Length > 0)
        {
            answer["body"] = response.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true
                ? ParseOrText(body)
                : JsonValue.Create(Encoding.UTF8.GetString(body));
        }

        return answer;
    }

    private static JsonNode? ParseOrText(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return JsonValue.Create(Encoding.UTF8.GetString(body));
        }
    }

    private static JsonObject FailedDependency(HttpContext parent, GraphBatchStep step, string failed) => new()
    {
        ["id"] = step.Id,
        ["status"] = StatusCodes.Status424FailedDependency,
        ["headers"] = new JsonObject { ["Content-Type"] = "application/json" },
        ["body"] = new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = "FailedDependency",
                ["message"] = $"Request '{step.Id}' was not run: request '{failed}', on which it depends, did not succeed.",
                ["innerError"] = new JsonObject { ["request-id"] = $"{parent.TraceIdentifier}-{step.Id}" },
            },
        },
    };
}
