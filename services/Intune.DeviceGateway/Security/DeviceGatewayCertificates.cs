using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Intune.ClusterConfig;
using Intune.Grains.Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Intune.DeviceGateway.Security;

/// <summary>
/// The gateway's own TLS certificate, issued by the scale unit's CA at start so devices that
/// pinned the CA at enrollment can authenticate the gateway (device certificates are checked
/// against the CAs in <see cref="TrustedAuthorities"/>). The private key is the
/// gateway's own and never leaves this process.
/// </summary>
public sealed class DeviceGatewayCertificates(
    IGrainFactory grains,
    IOptions<GatewayListenOptions> options,
    ILogger<DeviceGatewayCertificates> logger) : IHostedService
{
    private X509Certificate2? _server;

    public X509Certificate2 ServerCertificate => _server ?? throw new InvalidOperationException("The device gateway has no TLS certificate yet.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var ca = grains.GetGrain<ICertificateAuthorityGrain>(0);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=device-gateway"), key, HashAlgorithmName.SHA256);
        var issued = X509CertificateLoader.LoadCertificate(
            await ca.IssueServerCertificateAsync(request.CreateSigningRequest(), options.Value.EffectiveDeviceHostNames));
        using var withKey = issued.CopyWithPrivateKey(key);
        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
        _server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        logger.LogInformation("Device gateway TLS certificate issued for {Hosts}, valid until {NotAfter:u}", string.Join(", ", options.Value.EffectiveDeviceHostNames), _server.NotAfter);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
