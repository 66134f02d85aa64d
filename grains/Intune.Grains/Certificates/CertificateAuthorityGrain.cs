using System.Security.Cryptography.X509Certificates;
using Orleans.Concurrency;

namespace Intune.Grains.Certificates;

/// <summary>Gives gateways the CA certificate and their TLS certificates; one activation per silo.</summary>
[StatelessWorker]
internal sealed class CertificateAuthorityGrain(CertificateAuthority authority) : Grain, ICertificateAuthorityGrain
{
    public async Task<byte[]> GetCertificateAsync() => (await authority.GetCertificateAsync()).Export(X509ContentType.Cert);

    public async Task<byte[]> IssueServerCertificateAsync(byte[] certificateSigningRequest, string[] hostNames)
    {
        using var certificate = await authority.IssueServerCertificateAsync(certificateSigningRequest, hostNames);
        return certificate.Export(X509ContentType.Cert);
    }

    public Task<IReadOnlyList<TrustedAuthority>> GetTrustedAuthoritiesAsync() => authority.GetTrustedAuthoritiesAsync();
}
