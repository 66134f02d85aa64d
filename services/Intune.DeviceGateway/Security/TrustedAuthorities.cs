using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Intune.Grains.Certificates;

namespace Intune.DeviceGateway.Security;

/// <summary>
/// The CA that may have issued a device certificate, by the unit the certificate names (OU):
/// the unit's own CA, or a peer's whose tenants moved into the unit that serves the call. CA
/// certificates never change, so they are kept for the life of the process. A unit is asked
/// again for its trusted set at most every few seconds, and concurrent callers share one
/// question, so a flood of foreign certificates does not become a flood of grain calls.
/// </summary>
public sealed class TrustedAuthorities(TimeProvider time)
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, X509Certificate2> _authorities = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<IGrainFactory, Refresh> _refreshes = new();

    /// <summary>The CA of <paramref name="scaleUnitId"/> as trusted by <paramref name="unit"/>, or null.</summary>
    public async ValueTask<X509Certificate2?> FindAsync(IGrainFactory unit, string scaleUnitId)
    {
        if (_authorities.TryGetValue(scaleUnitId, out var known))
        {
            return known;
        }

        await _refreshes.GetValue(unit, _ => new Refresh()).RunAsync(unit, time.GetUtcNow(), _authorities);
        return _authorities.GetValueOrDefault(scaleUnitId);
    }

    /// <summary>The last question to one unit: callers within the interval share it.</summary>
    private sealed class Refresh
    {
        private Task? _task;
        private DateTimeOffset _started;

        public Task RunAsync(IGrainFactory unit, DateTimeOffset now, ConcurrentDictionary<string, X509Certificate2> into)
        {
            lock (this)
            {
                if (_task is null || _task.IsFaulted || now - _started >= RefreshInterval)
                {
                    _started = now;
                    _task = LoadAsync(unit, into);
                }

                return _task;
            }
        }

        private static async Task LoadAsync(IGrainFactory unit, ConcurrentDictionary<string, X509Certificate2> into)
        {
            foreach (var trusted in await unit.GetGrain<ICertificateAuthorityGrain>(0).GetTrustedAuthoritiesAsync())
            {
                into.TryAdd(trusted.ScaleUnitId, X509CertificateLoader.LoadCertificate(trusted.Certificate));
            }
        }
    }
}
