using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Intune.Routing;
using Microsoft.AspNetCore.Http;

namespace Intune.DeviceGateway.Security;

/// <summary>Who is calling, as proven by the MDM certificate presented over mutual TLS.</summary>
public sealed record DeviceIdentity(string TenantId, string DeviceId, string ScaleUnitId, string CertificateSerialNumber);

/// <summary>
/// Authenticates device calls. Kestrel accepts any client certificate so that a bad one is
/// answered here with a readable gRPC status instead of an opaque handshake failure. A
/// certificate must chain to the CA of the unit it names (OU), as trusted by the unit that unit
/// id routes to: its own CA, or, after a tenant move, the CA of the unit the tenant came from.
/// Revocation is the Device grain's serial check, so it survives a move with the grain state.
/// </summary>
public sealed class DeviceCertificateAuthenticator(IScaleUnitRouter router, TrustedAuthorities trusted, TimeProvider time)
{
    private const string CommonName = "2.5.4.3";
    private const string Organization = "2.5.4.10";
    private const string OrganizationalUnit = "2.5.4.11";
    private Func<X509Certificate2, Task<DeviceIdentity>>? _validateForConnection;

    public Task<DeviceIdentity> AuthenticateAsync(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var certificate = http.Connection.ClientCertificate
            ?? throw Refused("This call needs the device's MDM certificate (mutual TLS). Enroll first, then present the issued certificate.");
        // Expiry is checked on every call; the chain and issuer once per TLS connection.
        ThrowIfExpired(certificate);
        // Shared by the connection's calls, so no one call's cancellation may end it.
        return http.Features.Get<DeviceConnection>() is { } connection
            ? connection.IdentityAsync(certificate, _validateForConnection ??= c => AuthenticateAsync(c, CancellationToken.None))
            : AuthenticateAsync(certificate, context.CancellationToken);
    }

    /// <summary>Checks expiry, subject, and the chain to the CA of the unit the certificate names.</summary>
    public async Task<DeviceIdentity> AuthenticateAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        var now = ThrowIfExpired(certificate);
        string? tenant = null, device = null, unit = null;
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            switch (rdn.GetSingleElementType().Value)
            {
                case CommonName: device = rdn.GetSingleElementValue(); break;
                case Organization: tenant = rdn.GetSingleElementValue(); break;
                case OrganizationalUnit: unit = rdn.GetSingleElementValue(); break;
            }
        }

        if (string.IsNullOrEmpty(tenant) || string.IsNullOrEmpty(device) || string.IsNullOrEmpty(unit))
        {
            throw Refused("The device certificate does not name a tenant, device and scale unit.");
        }

        X509Certificate2? authority;
        try
        {
            authority = await trusted.FindAsync(await router.ForScaleUnitAsync(unit, cancellationToken), unit);
        }
        catch (TenantNotRoutableException)
        {
            authority = null;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        if (authority is not null)
        {
            chain.ChainPolicy.CustomTrustStore.Add(authority);
        }

        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // revocation is the Device grain's serial check
        // Never fetch issuers named in the certificate's AIA extension: an unauthenticated client
        // would choose the URLs this gateway calls.
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2"));
        if (authority is null || !chain.Build(certificate))
        {
            throw Refused("The device certificate was not issued by this scale unit's certificate authority (or a trusted peer's).");
        }

        return new DeviceIdentity(tenant, device, unit, certificate.SerialNumber);
    }

    private static RpcException Refused(string message)
    {
        DeviceGatewayMetrics.CallRefused("authentication", StatusCode.Unauthenticated);
        return new RpcException(new Status(StatusCode.Unauthenticated, message));
    }

    private DateTimeOffset ThrowIfExpired(X509Certificate2 certificate)
    {
        var now = time.GetUtcNow();
        if (certificate.NotAfter.ToUniversalTime() <= now.UtcDateTime)
        {
            throw Refused($"The device certificate expired at {certificate.NotAfter.ToUniversalTime():u}. Enroll the device again.");
        }

        return now;
    }
}
