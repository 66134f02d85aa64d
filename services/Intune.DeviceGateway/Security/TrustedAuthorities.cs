using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Intune.Grains.Certificates;

namespace Intune.DeviceGateway.Security;

/// <summary>
/// The CA that may have issued a device certificate, by the unit the certificate names (OU):
/// the unit's own CA, or a peer's whose tenants moved into the unit that serves the call. Each
/// serving unit's trusted set is kept apart (a standalone gateway serves several units): what
/// one unit trusts never decides what another accepts. CA certificates never change, so they
/// are kept for the life of the process. A unit is asked again for its trusted set at most
/// every few seconds, and concurrent callers share one question, so a flood of foreign
/// certificates does not become a flood of grain calls.
/// </summary>
public sealed class TrustedAuthorities(TimeProvider time)
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);
    private readonly ConditionalWeakTable<IGrainFactory, UnitTrust> _units = new();

    /// <summary>The CA of <paramref name="scaleUnitId"/> as trusted by <paramref name="unit"/>, or null.</summary>
    public async ValueTask<X509Certificate2?> FindAsync(IGrainFactory unit, string scaleUnitId)
    {
        var trust = _units.GetValue(unit, _ => new UnitTrust());
        if (trust.Authorities.TryGetValue(scaleUnitId, out var known))
        {
            return known;
        }

        await trust.Refresh.RunAsync(unit, time, trust.Authorities);
        return trust.Authorities.GetValueOrDefault(scaleUnitId);
    }

    /// <summary>One serving unit's trusted CAs, by the unit that issued them, and its question in flight.</summary>
    private sealed class UnitTrust
    {
        public ConcurrentDictionary<string, X509Certificate2> Authorities { get; } = new(StringComparer.Ordinal);

        public Refresh Refresh { get; } = new();
    }

    /// <summary>
    /// The questions to one unit: at most one per interval. A caller that finds the last answer
    /// too recent waits for the next one rather than being refused: a tenant move may have made the
    /// unit trust a peer's CA just after the last answer, and a moved device must not be turned
    /// away for that (while a stream of unknown issuers still costs one load per interval).
    /// </summary>
    private sealed class Refresh
    {
        private Task? _task;
        private DateTimeOffset _started;

        public Task RunAsync(IGrainFactory unit, TimeProvider time, ConcurrentDictionary<string, X509Certificate2> into)
        {
            lock (this)
            {
                var now = time.GetUtcNow();
                if (_task is null || _task.IsFaulted || now - _started >= RefreshInterval)
                {
                    _started = now;
                    _task = LoadAsync(unit, into);
                }
                else if (_task.IsCompleted)
                {
                    var wait = _started + RefreshInterval - now;
                    _started += RefreshInterval;
                    _task = LoadLaterAsync(wait);
                }

                return _task;
            }

            async Task LoadLaterAsync(TimeSpan wait)
            {
                await Task.Delay(wait, time);
                await LoadAsync(unit, into);
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
