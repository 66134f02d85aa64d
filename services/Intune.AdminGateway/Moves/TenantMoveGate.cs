using System.Globalization;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Operations;
using Intune.Routing;
using Microsoft.AspNetCore.Http;

namespace Intune.AdminGateway.Moves;

/// <summary>
/// Admin calls while the caller's tenant moves between scale units, as <see cref="TenantMoveRouting"/>
/// decides, worded for each admin front: REST (this middleware) answers a held change 503 with
/// <c>Retry-After</c> and a tenant served elsewhere 421, in Graph's envelope; gRPC
/// (<see cref="TenantMoveInterceptor"/>) answers <c>Unavailable</c> with the retry pushback trailer
/// and <c>FailedPrecondition</c> with the unit in a trailer, as the device gateway does.
/// </summary>
internal sealed class TenantMoveGate(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, IScaleUnitRouter router, TenantMoveMarks moves)
    {
        var route = await RouteAsync(context.User.GetTenantId(), writes: !IsRead(context.Request.Method), router, moves, context.RequestAborted);
        switch (route.Outcome)
        {
            case TenantMoveOutcome.Serve:
                await next(context);
                return;
            case TenantMoveOutcome.Moved:
                await GraphErrors.WriteAsync(context, StatusCodes.Status421MisdirectedRequest, "tenantMoved", Message(route));
                return;
            default:
                context.Response.Headers.RetryAfter = ((int)TenantMoveRouting.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                await GraphErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "serviceNotAvailable", Message(route));
                return;
        }
    }

    /// <summary>The route of an admin call; a caller without a tenant, or a tenant the directory cannot route, goes on to the endpoint, which answers as it always does.</summary>
    internal static async Task<TenantMoveRoute> RouteAsync(string? tenantId, bool writes, IScaleUnitRouter router, TenantMoveMarks moves, CancellationToken cancellationToken)
    {
        if (tenantId is not { Length: > 0 })
        {
            return new TenantMoveRoute(TenantMoveOutcome.Serve);
        }

        IGrainFactory unit;
        try
        {
            unit = await router.ForTenantAsync(tenantId, cancellationToken);
        }
        catch (Exception ex) when (ex is TenantNotRoutableException or ScaleUnitUnavailableException)
        {
            return new TenantMoveRoute(TenantMoveOutcome.Serve);
        }

        return await TenantMoveRouting.RouteAsync(router, moves, unit, tenantId, writes, cancellationToken);
    }

    /// <summary>What an admin is told, on either front.</summary>
    internal static string Message(TenantMoveRoute route) => route.Outcome switch
    {
        TenantMoveOutcome.Held => $"The tenant is moving to another scale unit; changes are held until the move completes. Retry after {TenantMoveRouting.RetryAfter.TotalSeconds:F0} seconds. Reads keep working.",
        TenantMoveOutcome.Moved => $"The tenant is served by scale unit {route.Mark!.TargetScaleUnitId} now; send requests to its admin gateway (or to the global one).",
        _ => "The tenant's scale unit could not be determined; retry later.",
    };

    private static bool IsRead(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);
}

/// <summary>
/// The gRPC twin of <see cref="TenantMoveGate"/>: a method whose <see cref="AdminOperation"/> is a
/// change (it is audited) is held during the copy; reads go on. Runs before the permission check
/// and audit, as the REST gate runs before the endpoint filters, so a held call writes no event.
/// </summary>
internal sealed class TenantMoveInterceptor(IScaleUnitRouter router, TenantMoveMarks moves) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var http = context.GetHttpContext();
        var writes = http.GetEndpoint()?.Metadata.GetMetadata<GrpcOperation>()?.For(request).Audit is not null;
        var route = await TenantMoveGate.RouteAsync(http.User.GetTenantId(), writes, router, moves, context.CancellationToken);
        return route.Outcome switch
        {
            TenantMoveOutcome.Serve => await continuation(request, context),
            TenantMoveOutcome.Moved => throw new RpcException(
                new Status(StatusCode.FailedPrecondition, TenantMoveGate.Message(route)),
                new Metadata { { TenantMoveRouting.MovedToUnitTrailer, route.Mark!.TargetScaleUnitId } }),
            _ => throw new RpcException(
                new Status(StatusCode.Unavailable, TenantMoveGate.Message(route)),
                new Metadata { { TenantMoveRouting.RetryPushbackTrailer, ((long)TenantMoveRouting.RetryAfter.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) } }),
        };
    }
}
