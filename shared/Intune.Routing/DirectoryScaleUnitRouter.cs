using System.Collections.Concurrent;
using Intune.ClusterConfig;

namespace Intune.Routing;

/// <summary>
/// The router of gateways that are Orleans clients of several scale units: a tenant's unit
/// comes from the global directory (cached for <see cref="TenantDirectoryOptions.CacheSeconds"/>),
/// a device's from its certificate (no directory read on the check-in path).
/// </summary>
public sealed class DirectoryScaleUnitRouter(ScaleUnitClients units, ITenantDirectory directory, TenantDirectoryOptions options, TimeProvider time) : IScaleUnitRouter
{
    private readonly ConcurrentDictionary<string, (string UnitId, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    public async ValueTask<IGrainFactory> ForTenantAsync(string tenantId, CancellationToken cancellationToken = default) =>
        await units.GetAsync((await ScaleUnitOfAsync(tenantId, cancellationToken))!, cancellationToken);

    public async ValueTask<string?> ScaleUnitOfAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (!_cache.TryGetValue(tenantId, out var cached) || cached.Expires <= now)
        {
            var entry = await directory.GetAsync(tenantId, cancellationToken);
            if (entry is null || entry.State == TenantDirectoryState.Provisioning)
            {
                _cache.TryRemove(tenantId, out _);
                throw new TenantNotRoutableException($"Tenant '{tenantId}' is not in the tenant directory.");
            }

            cached = (entry.ScaleUnitId, now.AddSeconds(options.CacheSeconds));
            _cache[tenantId] = cached;
        }

        return cached.UnitId;
    }

    public async ValueTask<IGrainFactory> ForScaleUnitAsync(string scaleUnitId, CancellationToken cancellationToken = default) =>
        await units.GetAsync(scaleUnitId, cancellationToken);

    /// <summary>Forgets the cached unit of a tenant, so its next call reads the directory (after a move).</summary>
    public void Invalidate(string tenantId) => _cache.TryRemove(tenantId, out _);

    public bool OnTenantMoved(string tenantId, string targetScaleUnitId)
    {
        Invalidate(tenantId);
        return units.Serves(targetScaleUnitId);
    }
}
