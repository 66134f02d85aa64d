namespace Intune.Routing;

/// <summary>
/// Routes gateway calls to the scale unit that holds a tenant (docs/architecture.md §7). Gateways
/// never talk to grains except through the factory this returns, so the same gateway code
/// serves one co-hosted unit or many remote ones.
/// </summary>
public interface IScaleUnitRouter
{
    /// <summary>The grains of the unit that holds <paramref name="tenantId"/>.</summary>
    /// <exception cref="TenantNotRoutableException">The tenant is unknown to the directory.</exception>
    ValueTask<IGrainFactory> ForTenantAsync(string tenantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The grains of a unit named in a device certificate, so a check-in needs no directory read.
    /// </summary>
    ValueTask<IGrainFactory> ForScaleUnitAsync(string scaleUnitId, CancellationToken cancellationToken = default);

    /// <summary>
    /// A unit said <paramref name="tenantId"/> moved to <paramref name="targetScaleUnitId"/>: forget
    /// what is cached about the tenant, and tell whether this process reaches the target (then
    /// callers follow there themselves; otherwise they send the caller there).
    /// </summary>
    bool OnTenantMoved(string tenantId, string targetScaleUnitId);

    /// <summary>The id of the unit that holds <paramref name="tenantId"/>, or null where every tenant is in this process's one unit.</summary>
    /// <exception cref="TenantNotRoutableException">The tenant is unknown to the directory.</exception>
    ValueTask<string?> ScaleUnitOfAsync(string tenantId, CancellationToken cancellationToken = default);
}

/// <summary>The directory knows no unit for the tenant (or the unit named is not served here).</summary>
public sealed class TenantNotRoutableException(string message) : Exception(message);

/// <summary>
/// The one-unit router: every tenant lives in the unit this process is part of (the local
/// default, where gateways are co-hosted in the silo).
/// </summary>
public sealed class SingleScaleUnitRouter(IGrainFactory grains) : IScaleUnitRouter
{
    public ValueTask<IGrainFactory> ForTenantAsync(string tenantId, CancellationToken cancellationToken = default) => ValueTask.FromResult(grains);

    public ValueTask<IGrainFactory> ForScaleUnitAsync(string scaleUnitId, CancellationToken cancellationToken = default) => ValueTask.FromResult(grains);

    /// <summary>A co-hosted gateway reaches only its own unit, which the tenant just left.</summary>
    public bool OnTenantMoved(string tenantId, string targetScaleUnitId) => false;

    public ValueTask<string?> ScaleUnitOfAsync(string tenantId, CancellationToken cancellationToken = default) => ValueTask.FromResult<string?>(null);
}
