using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Intune.DeviceGateway.Security;

/// <summary>
/// TLS of the device ports. The handshake asks for the device's certificate but accepts any (or
/// none, for enrollment): <see cref="DeviceCertificateAuthenticator"/> checks it once per
/// connection and answers a bad one with a readable gRPC status instead of an opaque handshake
/// failure. Every connection of a port shares one <see cref="SslServerAuthenticationOptions"/>
/// with a prepared certificate context, instead of a certificate selector that made each
/// handshake build the server's chain again.
/// </summary>
public static class DeviceTls
{
    /// <summary>Device-port TLS for <paramref name="port"/>, with a per-connection slot for the device's identity.</summary>
    public static ListenOptions UseDeviceTls(this ListenOptions listen, int port)
    {
        var certificates = listen.ApplicationServices.GetRequiredService<DeviceGatewayCertificates>();
        return listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = context =>
            {
                var options = certificates.TlsOptionsFor(port)
                    ?? throw new AuthenticationException($"The device gateway has no TLS certificate for port {port} (its scale unit was unavailable at start).");
                context.Connection.Features.Set(new DeviceConnection());
                return ValueTask.FromResult(options);
            },
        });
    }

    internal static SslServerAuthenticationOptions ServerOptions(X509Certificate2 certificate) => new()
    {
        ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true),
        // Asked for so devices send it; a missing or foreign one is refused per call with a status.
        ClientCertificateRequired = true,
        RemoteCertificateValidationCallback = static (_, _, _, _) => true,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck, // revocation is the Device grain's serial check
        ApplicationProtocols = [SslApplicationProtocol.Http2],
        AllowRenegotiation = false, // HTTP/2 forbids it (RFC 9113 §9.2.1)
    };
}

/// <summary>
/// One device TLS connection's validated identity. The certificate cannot change within a
/// connection, so its chain and issuer are checked once; expiry and the Device grain's serial
/// check (revocation) still run on every call.
/// </summary>
public sealed class DeviceConnection
{
    private Validation? _current;

    internal Task<DeviceIdentity> IdentityAsync(X509Certificate2 certificate, Func<X509Certificate2, Task<DeviceIdentity>> validate)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && current.Reusable(certificate))
        {
            return current.Identity;
        }

        lock (this)
        {
            // Concurrent first calls on one connection share one validation; a refused or failed
            // one is not kept, so the next call asks again (a peer CA may have become trusted since).
            if (_current is { } again && again.Reusable(certificate))
            {
                return again.Identity;
            }

            var started = new Validation(certificate, validate(certificate));
            Volatile.Write(ref _current, started);
            return started.Identity;
        }
    }

    private sealed record Validation(X509Certificate2 Certificate, Task<DeviceIdentity> Identity)
    {
        public bool Reusable(X509Certificate2 certificate) =>
            ReferenceEquals(Certificate, certificate) && !Identity.IsFaulted && !Identity.IsCanceled;
    }
}
