using Intune.AdminGateway.Graph;
using Intune.Grains.Errors;
using Intune.Routing;
using Microsoft.AspNetCore.Http;

namespace Intune.AdminGateway.Errors;

/// <summary>
/// The one translation of the application's refusals into Graph's error envelope, for every
/// endpoint of the <c>/v1.0</c> group: handlers and application services throw a
/// <see cref="RequestRefusedException"/> and never build an error answer themselves; a unit that is
/// down or did not answer is a 503 (<see cref="RoutingFailures"/>). Anything
/// else propagates to <see cref="AdminGatewayExtensions.UseGraphExceptionHandler"/>, which answers
/// 500 with the request id it logs, never the exception.
/// </summary>
internal sealed class GraphErrorFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e) when (RoutingFailures.AsRefusal(e) is { } refused)
        {
            return ToGraph(context.HttpContext, refused);
        }
    }

    /// <summary>The envelope for a refusal; also used by the batch for a body it cannot accept.</summary>
    internal static IResult ToGraph(HttpContext context, RequestRefusedException refused)
    {
        switch (refused)
        {
            case ThrottledException throttled:
                context.Response.Headers.RetryAfter = GraphErrors.Seconds(throttled.RetryAfter);
                return GraphErrors.Result(StatusCodes.Status429TooManyRequests, "TooManyRequests", refused.Message);
            case UnavailableException unavailable:
                context.Response.Headers.RetryAfter = GraphErrors.Seconds(unavailable.RetryAfter);
                return GraphErrors.Result(StatusCodes.Status503ServiceUnavailable, "serviceNotAvailable", refused.Message);
            case NotFoundException:
                return GraphErrors.Result(StatusCodes.Status404NotFound, "ResourceNotFound", refused.Message);
            case ForbiddenException:
                return GraphErrors.Result(StatusCodes.Status403Forbidden, "Forbidden", refused.Message);
            default:
                // InvalidRequestException and ConflictException: Intune answers a refused state 400 too.
                return GraphErrors.Result(StatusCodes.Status400BadRequest, "BadRequest", refused.Message);
        }
    }
}
