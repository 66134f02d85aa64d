using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Intune.AdminGateway.Graph;

/// <summary>
/// What the admin port answers when routing found nothing: under <c>/v1.0</c> and <c>/beta</c>
/// Graph's own 400 <c>"Resource not found for the segment '…'."</c> naming the first segment no
/// route knows (tools and the SDK read <c>error.message</c>; an empty 404 stops them), or 405 when
/// the path exists for other methods; elsewhere on the port a 404 in the same envelope instead of
/// an empty body. Runs right after routing, before authentication: the route table is no secret.
/// </summary>
internal sealed class GraphUnknownRoute(RequestDelegate next, EndpointDataSource endpoints)
{
    public async Task InvokeAsync(HttpContext context)
    {
        // Routing's own 405 answer is a plain Endpoint, never a RouteEndpoint.
        var matched = context.GetEndpoint() is RouteEndpoint;
        if (!matched && GraphVersions.Prefix(context.Request.Path) is { } version)
        {
            await AnswerUnknownGraphPathAsync(context, version);
            return;
        }

        await next(context);
        if (!matched && !context.Response.HasStarted && context.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed)
        {
            await GraphErrors.WriteAsync(context, context.Response.StatusCode, "NotFound", $"Nothing is served at '{context.Request.Method} {context.Request.Path}' on this port; the Graph API is under /v1.0 and /beta.");
        }
    }

    private Task AnswerUnknownGraphPathAsync(HttpContext context, string version)
    {
        var segments = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
        if (segments.Length == 0)
        {
            return GraphErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "BadRequest", $"Name a resource after /{version}, for example /{version}/deviceManagement/managedDevices.");
        }

        var routes = endpoints.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.PathSegments.Count > 0 && IsLiteral(e.RoutePattern.PathSegments[0], version))
            .ToList();
        var deepest = 0;
        var methods = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var route in routes)
        {
            var pattern = route.RoutePattern.PathSegments.Skip(1).ToList();
            var depth = MatchingDepth(pattern, segments);
            deepest = Math.Max(deepest, depth);
            if (depth == segments.Length && pattern.Count == segments.Length)
            {
                methods.UnionWith(route.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []);
            }
        }

        if (methods.Count > 0)
        {
            context.Response.Headers.Allow = string.Join(", ", methods);
            return GraphErrors.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "BadRequest", $"The HTTP method '{context.Request.Method}' is not supported on '/{string.Join('/', segments)}'; it answers {string.Join(", ", methods)}.");
        }

        var unknown = segments[Math.Min(deepest, segments.Length - 1)];
        return GraphErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "BadRequest", $"Resource not found for the segment '{unknown}'.");
    }

    /// <summary>How many leading <paramref name="segments"/> the pattern accepts: literals compare case-insensitively, parameters take any segment.</summary>
    private static int MatchingDepth(IReadOnlyList<RoutePatternPathSegment> pattern, string[] segments)
    {
        var depth = 0;
        while (depth < segments.Length && depth < pattern.Count)
        {
            var parts = pattern[depth].Parts;
            if (parts.Any(p => p is RoutePatternParameterPart { IsCatchAll: true }))
            {
                return segments.Length;
            }

            var literal = parts.Count == 1 && parts[0] is RoutePatternLiteralPart;
            if (literal && !IsLiteral(pattern[depth], Uri.UnescapeDataString(segments[depth])))
            {
                break;
            }

            depth++;
        }

        return depth;
    }

    private static bool IsLiteral(RoutePatternPathSegment segment, string text) =>
        segment.Parts is [RoutePatternLiteralPart literal] && string.Equals(literal.Content, text, StringComparison.OrdinalIgnoreCase);
}
