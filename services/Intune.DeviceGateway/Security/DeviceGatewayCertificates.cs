using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Intune.ClusterConfig;
using Intune.Grains.Certificates;
using Intune.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Intune.DeviceGateway.Security;

/// <summary>
/// A TLS port of the device gateway. A unit's co-hosted gateway has one, for its own unit
/// (<see cref="ScaleUnitId"/> null). A standalone gateway has one per scale unit, because devices
/// pin their unit's CA at enrollment and TLS picks the server certificate before it sees the
/// client's; <see cref="Endpoint"/> is the URL devices use for it.
/// </summary>
public sealed record DeviceEndpointBinding(int Port, string? ScaleUnitId = null, string? Endpoint = null);

/// <summary>
/// The gateway's own TLS certificates, one per port, each issued at start by the CA of the unit
/// the port serves, so devices that pinned that CA at enrollment can authenticate the gateway
/// (device certificates are checked against the CAs in <see cref="TrustedAuthorities"/>). The
/// private keys are the gateway's own and never leave this process.
/// Each port's certificate is held with its prepared TLS context (chain built once), so a
/// handshake does no certificate work of the server's and OpenSSL's session cache lets
/// returning devices resume; <see cref="Use"/> swaps a port's certificate for the connections
/// that follow while open connections keep theirs. Every <see cref="RenewalCheck"/> a port whose
/// certificate has less than a third of its lifetime left (10 of 30 days) gets a new one, and a
/// port left without one (its unit was down at start) gets its first: no restart is needed.
/// </summary>
public sealed class DeviceGatewayCertificates(
    IServiceProvider services,
    IReadOnlyList<DeviceEndpointBinding> bindings,
    IOptions<GatewayListenOptions> options,
    TimeProvider time,
    ILogger<DeviceGatewayCertificates> logger) : IHostedService, IDisposable
{
    /// <summary>How often the certificates' remaining lifetime is looked at.</summary>
    public static readonly TimeSpan RenewalCheck = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<int, ServerEndpoint> _server = new();
    private readonly SemaphoreSlim _renewing = new(1, 1);
    private ITimer? _renewal;

    /// <summary>Raised after a port starts serving a new certificate (the port and the certificate).</summary>
    public event Action<int, X509Certificate2>? Renewed;

    public IReadOnlyList<DeviceEndpointBinding> Bindings => bindings;

    /// <summary>The certificate of the first (for a co-hosted gateway: the only) port.</summary>
    public X509Certificate2 ServerCertificate => ServerCertificateFor(bindings[0].Port)
        ?? throw new InvalidOperationException("The device gateway has no TLS certificate yet.");

    public X509Certificate2? ServerCertificateFor(int port) => _server.GetValueOrDefault(port)?.Certificate;

    /// <summary>
    /// The TLS settings of a port's handshakes, the same object for every connection until the
    /// certificate is replaced; null while the port has no certificate.
    /// </summary>
    public SslServerAuthenticationOptions? TlsOptionsFor(int port) => _server.GetValueOrDefault(port)?.Tls;

    /// <summary>Serves <paramref name="certificate"/> (with its private key) on <paramref name="port"/> from the next handshake on.</summary>
    public void Use(int port, X509Certificate2 certificate) => _server[port] = new ServerEndpoint(certificate, DeviceTls.ServerOptions(certificate));

    public DeviceEndpointBinding? BindingOf(int port) => bindings.FirstOrDefault(b => b.Port == port);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var binding in bindings)
        {
            try
            {
                Use(binding.Port, await IssueAsync(binding, cancellationToken));
            }
            catch (ScaleUnitUnavailableException ex) when (bindings.Count > 1)
            {
                // One unit down must not keep the gateway from serving the others' devices.
                logger.LogWarning(ex, "No TLS certificate for scale unit {Unit}'s device port {Port}: the unit is unavailable; the hourly renewal check tries again", binding.ScaleUnitId, binding.Port);
            }
        }

        _renewal = time.CreateTimer(_ => _ = RenewDueAsync(), null, RenewalCheck, RenewalCheck);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_renewal is { } renewal)
        {
            await renewal.DisposeAsync();
        }
    }

    public void Dispose()
    {
        _renewal?.Dispose();
        _renewing.Dispose();
    }

    /// <summary>Issues a new certificate for every port that has none or whose current one is due; a unit that fails is tried again at the next check.</summary>
    public async Task RenewDueAsync()
    {
        await _renewing.WaitAsync();
        try
        {
            var now = time.GetUtcNow();
            foreach (var binding in bindings.Where(b => ServerCertificateFor(b.Port) is not { } current || IsDue(current, now)))
            {
                try
                {
                    var renewed = await IssueAsync(binding, CancellationToken.None);
                    Use(binding.Port, renewed);
                    Renewed?.Invoke(binding.Port, renewed);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    logger.LogWarning(ex, "Renewing the TLS certificate of device port {Port} ({Unit}) failed; tried again in {Interval}", binding.Port, binding.ScaleUnitId ?? "this unit", RenewalCheck);
                }
            }
        }
        finally
        {
            _renewing.Release();
        }
    }

    /// <summary>Due when less than a third of the certificate's lifetime is left.</summary>
    public static bool IsDue(X509Certificate2 certificate, DateTimeOffset now)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        return now >= notAfter - ((notAfter - notBefore) / 3);
    }

    private async Task<X509Certificate2> IssueAsync(DeviceEndpointBinding binding, CancellationToken cancellationToken)
    {
        var grains = binding.ScaleUnitId is null
            ? services.GetRequiredService<IGrainFactory>()
            : await services.GetRequiredService<IScaleUnitRouter>().ForScaleUnitAsync(binding.ScaleUnitId, cancellationToken);
        var ca = grains.GetGrain<ICertificateAuthorityGrain>(0);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=device-gateway"), key, HashAlgorithmName.SHA256);
        var hosts = options.Value.EffectiveDeviceHostNames
            .Concat(binding.Endpoint is { } endpoint && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? [uri.Host] : [])
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();
        var issued = X509CertificateLoader.LoadCertificate(await ca.IssueServerCertificateAsync(request.CreateSigningRequest(), hosts));
        using var withKey = issued.CopyWithPrivateKey(key);
        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
        var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        logger.LogInformation("Device gateway TLS certificate on port {Port} ({Unit}) issued for {Hosts}, valid until {NotAfter:u}", binding.Port, binding.ScaleUnitId ?? "this unit", string.Join(", ", hosts), server.NotAfter);
        return server;
    }

    private sealed record ServerEndpoint(X509Certificate2 Certificate, SslServerAuthenticationOptions Tls);
}
