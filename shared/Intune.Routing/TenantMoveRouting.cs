using Intune.Grains.Tenants;

namespace Intune.Routing;

/// <summary>What a call of a tenant meets around a move (docs/scale-out.md, "Tenant moves").</summary>
public enum TenantMoveOutcome
{
    /// <summary>Serve it at <see cref="TenantMoveRoute.Unit"/>: no move, a read during the copy, or followed to the new unit.</summary>
    Serve,

    /// <summary>A change during the copy: refuse it with a retry after <see cref="TenantMoveRouting.RetryAfter"/>.</summary>
    Held,

    /// <summary>The tenant is served by a unit this gateway does not reach (<see cref="TenantMoveRoute.Mark"/> names it).</summary>
    Moved,

    /// <summary>Marks kept pointing further after several hops: retry later.</summary>
    Undetermined,
}

/// <param name="Unit">Where to serve the call (for <see cref="TenantMoveOutcome.Serve"/>).</param>
/// <param name="Mark">The mark that decided a held or moved call.</param>
public sealed record TenantMoveRoute(TenantMoveOutcome Outcome, IGrainFactory? Unit = null, TenantMoveMark? Mark = null);

/// <summary>
/// The one reading of move marks for every front (device gRPC, admin REST, admin gRPC); each
/// front only words the outcome in its own protocol. During the copy changes are held so nothing
/// is written to the source after it was read; reads go on. After the switch a gateway that
/// reaches the new unit follows there (its directory cache is dropped); one that does not (a
/// unit's co-hosted gateway) sends the caller away rather than serving what the old unit still
/// holds. Costs one mark lookup per unit consulted, cached for <c>TenantMoves:CacheSeconds</c>.
/// </summary>
public static class TenantMoveRouting
{
    /// <summary>How long a caller is asked to wait while its tenant is being copied.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>gRPC's retry pushback trailer (milliseconds), honoured by gRPC retry policies.</summary>
    public const string RetryPushbackTrailer = "grpc-retry-pushback-ms";

    /// <summary>gRPC trailer: the unit the tenant moved to.</summary>
    public const string MovedToUnitTrailer = "intune-moved-to-unit";

    public static async Task<TenantMoveRoute> RouteAsync(IScaleUnitRouter router, TenantMoveMarks moves, IGrainFactory unit, string tenantId, bool writes, CancellationToken cancellationToken)
    {
        // A tenant that moved on again while a caller slept: follow at most a few hops.
        for (var hop = 0; hop < 4; hop++)
        {
            var mark = await moves.GetAsync(unit, tenantId);
            switch (mark?.Phase)
            {
                case null:
                    return new TenantMoveRoute(TenantMoveOutcome.Serve, unit);
                case TenantMovePhase.Moving when !writes:
                    return new TenantMoveRoute(TenantMoveOutcome.Serve, unit);
                case TenantMovePhase.Moving:
                    return new TenantMoveRoute(TenantMoveOutcome.Held, Mark: mark);
                case TenantMovePhase.Moved when router.OnTenantMoved(tenantId, mark.TargetScaleUnitId):
                    unit = await router.ForScaleUnitAsync(mark.TargetScaleUnitId, cancellationToken);
                    continue;
                default:
                    return new TenantMoveRoute(TenantMoveOutcome.Moved, Mark: mark);
            }
        }

        return new TenantMoveRoute(TenantMoveOutcome.Undetermined);
    }
}
