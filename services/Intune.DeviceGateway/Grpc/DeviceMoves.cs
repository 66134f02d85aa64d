using System.Globalization;
using Grpc.Core;
using Intune.Grains.Tenants;
using Intune.Routing;

namespace Intune.DeviceGateway.Grpc;

/// <summary>
/// What a device call meets while its tenant moves between scale units (docs/scale-out.md,
/// "Tenant moves"). During the copy a write is answered <c>Unavailable</c> with the gRPC retry
/// pushback trailer, so the device retries after the copy; reads (Listen) go on. Once the tenant
/// is served by another unit, a gateway that reaches that unit follows there itself; one that
/// does not (a unit's co-hosted gateway) answers <c>FailedPrecondition</c> with the new unit,
/// its device endpoint and its CA certificate in trailers, and the device reconnects there with
/// the certificate it holds (the target trusts the source unit's CA).
/// </summary>
public static class DeviceMoves
{
    /// <summary>Trailer: the unit the tenant moved to (the admin gRPC API sends it too).</summary>
    public const string MovedToUnitTrailer = TenantMoveRouting.MovedToUnitTrailer;

    /// <summary>Trailer: the device gateway URL of that unit (absent when none is configured).</summary>
    public const string MovedToEndpointTrailer = "intune-moved-to-endpoint";

    /// <summary>Binary trailer: that unit's CA certificate (DER), for the device to pin next to the one it has.</summary>
    public const string MovedToAuthorityTrailer = "intune-moved-to-ca-bin";

    /// <summary>The unit to serve a device call at, or the refusal the move calls for (<see cref="TenantMoveRouting"/>).</summary>
    public static async Task<IGrainFactory> RouteAsync(IScaleUnitRouter router, TenantMoveMarks moves, IGrainFactory unit, string tenantId, bool writes, CancellationToken cancellationToken)
    {
        var route = await TenantMoveRouting.RouteAsync(router, moves, unit, tenantId, writes, cancellationToken);
        return route.Outcome switch
        {
            TenantMoveOutcome.Serve => route.Unit!,
            TenantMoveOutcome.Held => throw new RpcException(
                new Status(StatusCode.Unavailable, $"The tenant is moving to scale unit {route.Mark!.TargetScaleUnitId}; changes are held until the move completes. Retry in {TenantMoveRouting.RetryAfter.TotalSeconds:F0} seconds."),
                new Metadata { { TenantMoveRouting.RetryPushbackTrailer, ((long)TenantMoveRouting.RetryAfter.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) } }),
            TenantMoveOutcome.Moved => throw Redirect(route.Mark!),
            _ => throw new RpcException(new Status(StatusCode.Unavailable, "The tenant's scale unit could not be determined; retry later.")),
        };
    }

    /// <summary>The tenant is served at another of this gateway's ports (a standalone gateway's enrollment).</summary>
    public static RpcException ServedElsewhere(string scaleUnitId, string? endpoint)
    {
        var trailers = new Metadata { { MovedToUnitTrailer, scaleUnitId } };
        if (endpoint is { Length: > 0 })
        {
            trailers.Add(MovedToEndpointTrailer, endpoint);
        }

        return new RpcException(
            new Status(StatusCode.FailedPrecondition, $"The tenant is served by scale unit {scaleUnitId}; enroll at {endpoint ?? "its device endpoint"}."),
            trailers);
    }

    private static RpcException Redirect(TenantMoveMark mark)
    {
        var trailers = new Metadata { { MovedToUnitTrailer, mark.TargetScaleUnitId } };
        if (mark.TargetDeviceEndpoint is { Length: > 0 } endpoint)
        {
            trailers.Add(MovedToEndpointTrailer, endpoint);
        }

        if (mark.TargetCertificateAuthority is { Length: > 0 } authority)
        {
            trailers.Add(MovedToAuthorityTrailer, authority);
        }

        var where = mark.TargetDeviceEndpoint is { Length: > 0 } url ? $"; connect to {url} with the same certificate" : string.Empty;
        return new RpcException(new Status(StatusCode.FailedPrecondition, $"The tenant moved to scale unit {mark.TargetScaleUnitId}{where}."), trailers);
    }
}
