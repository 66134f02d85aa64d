using Intune.ClusterConfig;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Intune.Routing;

/// <summary>The unit is down or unreachable from this process.</summary>
public sealed class ScaleUnitUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Orleans clients of several scale units in one process (a standalone gateway, the operators'
/// CLI). Orleans keeps one client per service provider, so each unit gets a host of its own
/// with its own ClusterId/ServiceId and gateway list (the unit's Table membership). A unit that
/// is down does not hold up the others: each connects on first use and again after a failure.
/// </summary>
public sealed class ScaleUnitClients : IAsyncDisposable
{
    private readonly Dictionary<string, UnitClient> _units;

    /// <param name="development">
    /// Whether a unit without <c>ScaleUnit:CertificateAuthorityKey</c> is opened with the development
    /// key when its cluster ports use TLS (<see cref="ClusterTls"/>); outside Development such a unit is unavailable.
    /// </param>
    public ScaleUnitClients(IEnumerable<ScaleUnitOptions> units, ILoggerFactory? loggerFactory = null, bool development = false)
    {
        _units = units.ToDictionary(u => u.Id, u => new UnitClient(u, loggerFactory, development), StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> UnitIds => _units.Keys;

    public bool Serves(string unitId) => _units.ContainsKey(unitId);

    /// <summary>The unit's client, connecting first if needed.</summary>
    /// <exception cref="ScaleUnitUnavailableException">No silo of the unit answered.</exception>
    public Task<IClusterClient> GetAsync(string unitId, CancellationToken cancellationToken = default) =>
        _units.TryGetValue(unitId, out var unit)
            ? unit.GetAsync(cancellationToken)
            : throw new TenantNotRoutableException($"Scale unit '{unitId}' is not served by this process.");

    public async ValueTask DisposeAsync()
    {
        foreach (var unit in _units.Values)
        {
            await unit.DisposeAsync();
        }
    }

    private sealed class UnitClient(ScaleUnitOptions unit, ILoggerFactory? loggerFactory, bool development) : IAsyncDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private IHost? _host;

        public async Task<IClusterClient> GetAsync(CancellationToken cancellationToken)
        {
            if (Volatile.Read(ref _host) is { } ready)
            {
                return ready.Services.GetRequiredService<IClusterClient>();
            }

            await _gate.WaitAsync(cancellationToken);
            try
            {
                if (_host is null)
                {
                    var host = Build(await MemberCertificatesAsync(cancellationToken));
                    try
                    {
                        await host.StartAsync(cancellationToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        host.Dispose();
                        throw new ScaleUnitUnavailableException($"Scale unit '{unit.Id}' is unavailable: no silo of cluster '{unit.ClusterId}' answered.", ex);
                    }

                    Volatile.Write(ref _host, host);
                }

                return _host.Services.GetRequiredService<IClusterClient>();
            }
            finally
            {
                _gate.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _host, null) is { } host)
            {
                try
                {
                    await host.StopAsync(CancellationToken.None);
                }
                catch (Exception ex) when (ex is OrleansException or TimeoutException or InvalidOperationException)
                {
                    // The unit went away first; nothing is left to close gracefully.
                }

                host.Dispose();
            }
        }

        /// <summary>A member certificate from the unit's CA when its cluster ports use TLS, else null.</summary>
        private async Task<ClusterMemberCertificates?> MemberCertificatesAsync(CancellationToken cancellationToken)
        {
            if (!ClusterTls.IsEnabled(unit))
            {
                return null;
            }

            var certificates = new ClusterMemberCertificates(unit.Id);
            certificates.Load(await ClusterTls.LoadAuthorityAsync(unit, development, cancellationToken), TimeProvider.System);
            return certificates;
        }

        private IHost Build(ClusterMemberCertificates? memberCertificates)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            if (loggerFactory is not null)
            {
                builder.Services.AddSingleton(loggerFactory);
            }

            builder.UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = unit.ClusterId;
                    o.ServiceId = unit.ServiceId;
                });
                client.UseAzureStorageClustering(o =>
                {
                    var storage = new ScaleUnitStorage(unit);
                    o.TableServiceClient = storage.Tables;
                    o.TableName = storage.Layout.Membership.Name;
                });
                if (memberCertificates is not null)
                {
                    client.UseTls(o => ClusterTls.Configure(o, memberCertificates));
                }

                // Fail fast: a unit that is down is reported, and retried on the next use.
                client.UseConnectionRetryFilter((_, _) => Task.FromResult(false));
            });
            return builder.Build();
        }
    }
}
