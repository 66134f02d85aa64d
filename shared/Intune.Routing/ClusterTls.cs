using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure;
using Intune.ClusterConfig;
using Orleans.Connections.Security;

namespace Intune.Routing;

/// <summary>
/// TLS on a unit's cluster ports (silo-to-silo and client-to-gateway): each member presents a
/// short-lived certificate issued by the unit's own CA and marked with <see cref="ClusterMemberUsage"/>,
/// and accepts only peers that do the same. Device certificates come from the same CA but never
/// carry that usage, so a device cannot join the cluster or call grains with its MDM certificate.
/// Any process that can open the unit's sealed CA (its storage and <c>ScaleUnit:CertificateAuthorityKey</c>)
/// can mint a member certificate: that is the same trust the CA key already confers.
/// </summary>
public static class ClusterTls
{
    /// <summary>
    /// Extended key usage of cluster members: a UUID-derived OID (arc 2.25, ITU-T X.667), so it
    /// collides with no registered usage and no CSR-derived device certificate ever carries it.
    /// </summary>
    public static readonly Oid ClusterMemberUsage = new("2.25.147690549913343878532778465753039661712", "Intune.Cluster cluster member");

    /// <summary>Whether the unit's cluster ports use TLS: as configured, otherwise whenever they are not on loopback.</summary>
    public static bool IsEnabled(ScaleUnitOptions unit) =>
        unit.ClusterTls ?? !IPAddress.IsLoopback(IPAddress.Parse(unit.ClusterAddress));

    /// <summary>Configures Orleans' TLS middleware (silo or client) to present and require member certificates.</summary>
    public static void Configure(TlsOptions options, ClusterMemberCertificates certificates)
    {
        options.LocalServerCertificateSelector = (_, _) => certificates.Current;
        options.LocalClientCertificateSelector = (_, _, _, _, _) => certificates.Current;
        // Every peer, silo or client, must present a member certificate.
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        // Orleans checks this mode against LocalCertificate, which stays unset: the selector above
        // presents the certificate, so renewals need no restart. A member always has one to present.
        options.ClientCertificateMode = RemoteCertificateMode.AllowCertificate;
        options.CheckCertificateRevocation = false;
        options.RemoteCertificateValidation = (certificate, _, _) => certificates.IsClusterMember(certificate);
    }

    /// <summary>Opens the unit's sealed CA from its storage (a client's view: it never creates one).</summary>
    /// <exception cref="ScaleUnitUnavailableException">The CA is not there yet or cannot be opened with the configured key.</exception>
    public static async Task<X509Certificate2> LoadAuthorityAsync(ScaleUnitOptions unit, bool development, CancellationToken cancellationToken)
    {
        var storage = new ScaleUnitStorage(unit);
        byte[] stored;
        try
        {
            var blob = storage.Container(storage.Layout.CertificateAuthority).GetBlobClient(ScaleUnitStorageLayout.AuthorityBlob);
            stored = (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new ScaleUnitUnavailableException($"Scale unit '{unit.Id}' has no certificate authority yet: start one of its silos first.", ex);
        }

        try
        {
            var key = SealedCertificateAuthority.ResolveKey(unit.CertificateAuthorityKey, development);
            return SealedCertificateAuthority.IsSealed(stored) || !development
                ? SealedCertificateAuthority.Open(stored, key)
                : X509CertificateLoader.LoadPkcs12(stored, password: null);
        }
        catch (Exception ex) when (ex is InvalidOperationException or CryptographicException)
        {
            throw new ScaleUnitUnavailableException($"Scale unit '{unit.Id}': {ex.Message}", ex);
        }
    }
}

/// <summary>
/// The member certificate of one process in a unit's cluster, reissued from the unit's CA at half
/// its lifetime (a CPU-only signature, no storage request), so a long-running silo never presents
/// an expired certificate and no restart is needed.
/// </summary>
public sealed class ClusterMemberCertificates
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");
    private readonly Lock _renewal = new();
    private X509Certificate2? _authority;
    private X509Certificate2? _current;
    private TimeProvider _time = TimeProvider.System;

    public ClusterMemberCertificates(string scaleUnitId, TimeSpan? lifetime = null)
    {
        ScaleUnitId = scaleUnitId;
        Lifetime = lifetime ?? TimeSpan.FromDays(7);
    }

    public string ScaleUnitId { get; }

    public TimeSpan Lifetime { get; }

    public bool IsLoaded => Volatile.Read(ref _current) is not null;

    /// <summary>The certificate to present now; reissued once past half its lifetime.</summary>
    public X509Certificate2 Current
    {
        get
        {
            var current = Volatile.Read(ref _current) ?? throw new InvalidOperationException("The cluster member certificate is not loaded yet.");
            var now = _time.GetUtcNow();
            if (now < current.NotBefore.ToUniversalTime() + ((current.NotAfter - current.NotBefore) / 2))
            {
                return current;
            }

            lock (_renewal)
            {
                if (ReferenceEquals(_current, current))
                {
                    Volatile.Write(ref _current, Issue(_authority!, ScaleUnitId, now, Lifetime));
                }

                return _current!;
            }
        }
    }

    /// <summary>
    /// Takes the unit's CA (with its private key: the silo's <c>CertificateAuthority</c>, or
    /// <see cref="ClusterTls.LoadAuthorityAsync"/>) and issues the first certificate; call before the first connection.
    /// </summary>
    public void Load(X509Certificate2 authority, TimeProvider time)
    {
        lock (_renewal)
        {
            _time = time;
            _authority = authority;
            Volatile.Write(ref _current, _current ?? Issue(authority, ScaleUnitId, time.GetUtcNow(), Lifetime));
        }
    }

    /// <summary>A peer's certificate is a member's: issued by this unit's CA, valid now, with the member usage.</summary>
    public bool IsClusterMember(X509Certificate2? certificate)
    {
        var authority = _authority;
        if (certificate is null || authority is null)
        {
            return false;
        }

        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().SingleOrDefault()?.EnhancedKeyUsages;
        if (usages is null || !usages.Cast<Oid>().Any(u => u.Value == ClusterTls.ClusterMemberUsage.Value))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(authority.RawData));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // Never fetch what a peer's certificate points at (AIA): the only issuer accepted is here.
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        return chain.Build(certificate)
            && chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(authority.RawDataMemory.Span);
    }

    /// <summary>A member certificate: CN=cluster, OU=unit, server and client authentication plus the member usage.</summary>
    public static X509Certificate2 Issue(X509Certificate2 authority, string scaleUnitId, DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName("cluster");
        subject.AddOrganizationalUnitName(scaleUnitId);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication, ClientAuthentication, ClusterTls.ClusterMemberUsage], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var notAfter = now + lifetime;
        if (notAfter > authority.NotAfter)
        {
            notAfter = authority.NotAfter;
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(authority, now.AddMinutes(-5), notAfter, serial);
        // Re-imported as PKCS#12 so SslStream on Linux gets a certificate whose key it can use as a server.
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), password: null);
    }
}
