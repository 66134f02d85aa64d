using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Intune.ClusterConfig;
using Microsoft.Extensions.Options;

namespace Intune.Grains.Certificates;

/// <summary>Where the scale unit's CA (certificate and private key) is kept.</summary>
public interface ICertificateAuthorityStore
{
    /// <summary>The stored CA (<see cref="SealedCertificateAuthority"/>), or null when no CA was created yet.</summary>
    Task<byte[]?> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Stores the sealed CA unless a CA already exists; returns false when one did.</summary>
    Task<bool> TryCreateAsync(byte[] pkcs12, CancellationToken cancellationToken);

    /// <summary>Peer units' CA certificates (DER, public part only) this unit accepts device certificates of.</summary>
    Task<IReadOnlyList<TrustedAuthority>> LoadTrustedAsync(CancellationToken cancellationToken);
}

public sealed class CertificateAuthorityOptions
{
    /// <summary>Written into each device certificate (OU) so the certificate names its scale unit.</summary>
    public string ScaleUnitId { get; set; } = "local";

    public TimeSpan DeviceCertificateLifetime { get; set; } = TimeSpan.FromDays(365);

    /// <summary>
    /// Encrypts the CA's private key in storage (<see cref="SealedCertificateAuthority"/>); from
    /// <c>ScaleUnit:CertificateAuthorityKey</c>, the public development key when none is configured in Development.
    /// </summary>
    public byte[] KeyEncryptionKey { get; set; } = SealedCertificateAuthority.ResolveKey(null, development: true);

    /// <summary>
    /// Whether a CA stored by an older version as a password-less PKCS#12 is still loaded
    /// (Development only: local data kept from before the key was encrypted).
    /// </summary>
    public bool AcceptsUnsealedAuthority { get; set; } = true;
}

/// <summary>
/// The scale unit's certificate authority: created once, kept in the unit's own storage, and
/// reused after every restart so enrolled devices stay valid. Signs device (client) and
/// gateway (server) certificates from CSRs.
/// </summary>
public sealed class CertificateAuthority(ICertificateAuthorityStore store, IOptions<CertificateAuthorityOptions> options, TimeProvider time)
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private X509Certificate2? _certificate;

    public CertificateAuthorityOptions Options => options.Value;

    public async Task<X509Certificate2> GetCertificateAsync(CancellationToken cancellationToken = default)
    {
        if (_certificate is { } loaded)
        {
            return loaded;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _certificate ??= await LoadOrCreateAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>This unit's CA and the peer CAs whose tenants moved here (see <see cref="ICertificateAuthorityStore.LoadTrustedAsync"/>).</summary>
    public async Task<IReadOnlyList<TrustedAuthority>> GetTrustedAuthoritiesAsync(CancellationToken cancellationToken = default)
    {
        var own = await GetCertificateAsync(cancellationToken);
        var peers = await store.LoadTrustedAsync(cancellationToken);
        return [new TrustedAuthority(options.Value.ScaleUnitId, own.Export(X509ContentType.Cert)), .. peers.Where(p => p.ScaleUnitId != options.Value.ScaleUnitId)];
    }

    /// <summary>Issues the MDM certificate of a device: subject CN=device, O=tenant, OU=scale unit.</summary>
    public async Task<X509Certificate2> IssueDeviceCertificateAsync(byte[] csr, string tenantId, string deviceId)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(deviceId);
        subject.AddOrganizationName(tenantId);
        subject.AddOrganizationalUnitName(options.Value.ScaleUnitId);
        var now = time.GetUtcNow();
        return await IssueAsync(csr, subject.Build(), ClientAuthentication, sanBuilder: null, now.AddMinutes(-5), now + options.Value.DeviceCertificateLifetime);
    }

    /// <summary>Issues a TLS server certificate for the device gateway.</summary>
    public async Task<X509Certificate2> IssueServerCertificateAsync(byte[] csr, IEnumerable<string> hostNames)
    {
        var san = new SubjectAlternativeNameBuilder();
        var first = "localhost";
        foreach (var host in hostNames)
        {
            if (System.Net.IPAddress.TryParse(host, out var address))
            {
                san.AddIpAddress(address);
            }
            else
            {
                san.AddDnsName(host);
                first = host;
            }
        }

        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(first);
        subject.AddOrganizationalUnitName(options.Value.ScaleUnitId);
        var now = time.GetUtcNow();
        return await IssueAsync(csr, subject.Build(), ServerAuthentication, san, now.AddMinutes(-5), now.AddDays(30));
    }

    /// <summary>
    /// Parses and checks a CSR: its self-signature must verify and its key must be ECDSA P-256
    /// (or stronger) or RSA of at least 2048 bits. Throws <see cref="ArgumentException"/> with a
    /// message fit for the requester otherwise.
    /// </summary>
    public static CertificateRequest ParseSigningRequest(byte[] csr)
    {
        if (csr is null || csr.Length == 0)
        {
            throw new ArgumentException("The certificate signing request is empty.");
        }

        CertificateRequest request;
        try
        {
            request = CertificateRequest.LoadSigningRequest(csr, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException)
        {
            throw new ArgumentException("The certificate signing request is not a valid, self-signed PKCS#10 request (DER).");
        }

        switch (request.PublicKey.Oid.Value)
        {
            case "1.2.840.10045.2.1":
                using (var ec = request.PublicKey.GetECDsaPublicKey())
                {
                    if (ec is null || ec.KeySize < 256)
                    {
                        throw new ArgumentException("ECDSA keys must be at least P-256.");
                    }
                }

                break;
            case "1.2.840.113549.1.1.1":
                using (var rsa = request.PublicKey.GetRSAPublicKey())
                {
                    if (rsa is null || rsa.KeySize < 2048)
                    {
                        throw new ArgumentException("RSA keys must be at least 2048 bits.");
                    }
                }

                break;
            default:
                throw new ArgumentException("Only ECDSA (P-256 or stronger) and RSA (2048 bits or more) keys are accepted.");
        }

        return request;
    }

    private async Task<X509Certificate2> IssueAsync(
        byte[] csr, X500DistinguishedName subject, Oid usage, SubjectAlternativeNameBuilder? sanBuilder, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var parsed = ParseSigningRequest(csr);
        var authority = await GetCertificateAsync();
        var request = new CertificateRequest(subject, parsed.PublicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (sanBuilder is not null)
        {
            request.CertificateExtensions.Add(sanBuilder.Build());
        }

        if (notAfter > authority.NotAfter)
        {
            notAfter = authority.NotAfter;
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // keep the serial a positive integer
        using var generator = authority.GetECDsaPrivateKey()
            ?? throw new InvalidOperationException("The certificate authority has no ECDSA private key.");
        return request.Create(authority.SubjectName, X509SignatureGenerator.CreateForECDsa(generator), notBefore, notAfter, serial);
    }

    private async Task<X509Certificate2> LoadOrCreateAsync(CancellationToken cancellationToken)
    {
        var stored = await store.LoadAsync(cancellationToken);
        if (stored is null)
        {
            var created = CreateAuthority();
            if (await store.TryCreateAsync(created, cancellationToken))
            {
                stored = created;
            }
            else
            {
                // Another silo created it first: use theirs, so every silo signs with one CA.
                stored = await store.LoadAsync(cancellationToken)
                    ?? throw new InvalidOperationException("The certificate authority could neither be created nor loaded.");
            }
        }

        if (SealedCertificateAuthority.IsSealed(stored))
        {
            return SealedCertificateAuthority.Open(stored, options.Value.KeyEncryptionKey);
        }

        return options.Value.AcceptsUnsealedAuthority
            ? X509CertificateLoader.LoadPkcs12(stored, password: null)
            : throw new InvalidOperationException(
                "The unit's stored certificate authority is an unencrypted PKCS#12 from an older version; outside Development only a CA sealed " +
                "with ScaleUnit:CertificateAuthorityKey is loaded (docs/security.md).");
    }

    private byte[] CreateAuthority()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName($"Intune.Cluster {options.Value.ScaleUnitId} device CA");
        subject.AddOrganizationName("Intune.Cluster");
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
        return SealedCertificateAuthority.Seal(certificate, options.Value.KeyEncryptionKey);
    }
}
