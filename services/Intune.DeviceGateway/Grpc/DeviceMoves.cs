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
    /// <summary>Trailer: the unit the tenant moved to.</summary>
    public const string MovedToUnitTrailer = "intune-moved-to-unit";

    /// <summary>Trailer: the device gateway URL of that unit (absent when none is configured).</summary>
    public const string MovedToEndpointTrailer = "intune-moved-to-endpoint";

    /// <summary>Binary trailer: that unit's CA certificate (DER), for the device to pin next to the one it has.</summary>
    public const string MovedToAuthorityTrailer = "intune-moved-to-ca-bin";

    /// <summary>gRPC's retry pushback trailer (milliseconds), honoured by gRPC retry policies.</summary>
    public const string RetryPushbackTrailer = "grpc-retry-pushback-ms";

    /// <summary>How long a device is asked to wait while its tenant is being copied.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    public static async Task<IGrainFactory> RouteAsync(IScaleUnitRouter router, TenantMoveMarks moves, IGrainFactory unit, string tenantId, bool writes, CancellationToken cancellationToken)
    {
        // A tenant that moved on again while a device slept: follow at most a few hops.
        for (var hop = 0; hop < 4; hop++)
        {
            var mark = await moves.GetAsync(unit, tenantId);
            switch (mark?.Phase)
            {
                case null:
                    return unit;
                case TenantMovePhase.Moving when !writes:
                    return unit;
                case TenantMovePhase.Moving:
                    throw new RpcException(
                        new Status(StatusCode.Unavailable, $"The tenant is moving to scale unit {mark.TargetScaleUnitId}; changes are held until the move completes. Retry in {RetryAfter.TotalSeconds:F0} seconds."),
                        new Metadata { { RetryPushbackTrailer, ((long)RetryAfter.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) } });
                case TenantMovePhase.Moved when router.OnTenantMoved(tenantId, mark.TargetScaleUnitId):
                    unit = await router.ForScaleUnitAsync(mark.TargetScaleUnitId, cancellationToken);
                    continue;
                default:
                    throw Redirect(mark);
            }
        }

        throw new RpcException(new Status(StatusCode.Unavailable, "The tenant's scale unit could not be determined; retry later."));
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
