namespace Intune.Grains.Certificates;

/// <summary>
/// The scale unit's certificate authority as seen by gateways: its public certificate (to
/// validate device certificates) and server certificates for the device gateway's TLS endpoint.
/// The private key never leaves the silos.
/// </summary>
[Alias("intune.ICertificateAuthorityGrain")]
public interface ICertificateAuthorityGrain : IGrainWithIntegerKey
{
    /// <summary>The CA certificate, DER encoded.</summary>
    [Alias("GetCertificateAsync")]
    Task<byte[]> GetCertificateAsync();

    /// <summary>Signs a server (TLS) certificate for the given host names and IP addresses.</summary>
    [Alias("IssueServerCertificateAsync")]
    Task<byte[]> IssueServerCertificateAsync(byte[] certificateSigningRequest, string[] hostNames);

    /// <summary>
    /// The CAs whose device certificates this unit accepts: its own (under its unit id) and those
    /// of units whose tenants moved here, so moved devices keep their certificates.
    /// </summary>
    [Alias("GetTrustedAuthoritiesAsync")]
    Task<IReadOnlyList<TrustedAuthority>> GetTrustedAuthoritiesAsync();
}
