using System.Globalization;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.Grains.Tenants;
using Intune.Routing;
using Microsoft.AspNetCore.Http;

namespace Intune.AdminGateway.Moves;

/// <summary>
/// Admin calls while the caller's tenant moves between scale units (docs/scale-out.md). During
/// the copy a change is answered 503 with <c>Retry-After</c> in Graph's envelope, so nothing is
/// written to the copy's source after it was read; reads go on. After the switch a gateway that
/// reaches the new unit routes there (its directory cache is dropped); one that does not (a
/// unit's co-hosted gateway) answers 421 naming the unit that serves the tenant now, rather than
/// serving what the old unit still holds in memory.
/// </summary>
internal sealed class TenantMoveGate(RequestDelegate next)
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    public async Task InvokeAsync(HttpContext context, IScaleUnitRouter router, TenantMoveMarks moves)
    {
        if (context.User.GetTenantId() is not { Length: > 0 } tenantId)
        {
            await next(context);
            return;
        }

        IGrainFactory unit;
        try
        {
            unit = await router.ForTenantAsync(tenantId, context.RequestAborted);
        }
        catch (Exception ex) when (ex is TenantNotRoutableException or ScaleUnitUnavailableException)
        {
            await next(context); // the endpoint answers these as it always does
            return;
        }

        for (var hop = 0; hop < 4; hop++)
        {
            var mark = await moves.GetAsync(unit, tenantId);
            switch (mark?.Phase)
            {
                case null:
                    await next(context);
                    return;
                case TenantMovePhase.Moving when IsRead(context.Request.Method):
                    await next(context);
                    return;
                case TenantMovePhase.Moving:
                    context.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                    await GraphErrors.WriteAsync(
                        context,
                        StatusCodes.Status503ServiceUnavailable,
                        "serviceNotAvailable",
                        $"The tenant is moving to another scale unit; changes are held until the move completes. Retry after {RetryAfter.TotalSeconds:F0} seconds. Reads keep working.");
                    return;
                case TenantMovePhase.Moved when router.OnTenantMoved(tenantId, mark.TargetScaleUnitId):
                    unit = await router.ForScaleUnitAsync(mark.TargetScaleUnitId, context.RequestAborted);
                    continue;
                default:
                    await GraphErrors.WriteAsync(
                        context,
                        StatusCodes.Status421MisdirectedRequest,
                        "tenantMoved",
                        $"The tenant is served by scale unit {mark.TargetScaleUnitId} now; send requests to its admin gateway (or to the global one).");
                    return;
            }
        }

        context.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        await GraphErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "serviceNotAvailable", "The tenant's scale unit could not be determined; retry later.");
    }

    private static bool IsRead(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);
}
