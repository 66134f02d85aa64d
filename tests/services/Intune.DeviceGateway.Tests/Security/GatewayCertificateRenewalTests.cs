using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Intune.DeviceGateway.Security;
using Microsoft.Extensions.Time.Testing;

namespace Intune.DeviceGateway.Tests.Security;

/// <summary>
/// The device port's TLS certificate (30 days) is replaced while the gateway runs: the unit's
/// clock is a <see cref="FakeTimeProvider"/> moved past two thirds of the lifetime, and the next
/// handshake presents a new certificate from the same CA (the one devices pinned at enrollment).
/// </summary>
public sealed class GatewayCertificateRenewalTests
{
    [Fact]
    public async Task Certificate_PastTwoThirdsOfItsLifetime_IsRenewedWithoutRestart()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = new ScaleUnitTestHost { Time = clock };
        await host.StartAsync();
        var certificates = host.Services.GetRequiredService<DeviceGatewayCertificates>();
        using var first = await HandshakeAsync(host.DevicePort);
        var renewed = new TaskCompletionSource<X509Certificate2>(TaskCreationOptions.RunContinuationsAsynchronously);
        certificates.Renewed += (port, certificate) =>
        {
            if (port == host.DevicePort)
            {
                renewed.TrySetResult(certificate);
            }
        };

        // Day 19: more than a third left, the hourly check keeps the certificate.
        clock.Advance(TimeSpan.FromDays(19));
        await certificates.RenewDueAsync();
        using var stillFirst = await HandshakeAsync(host.DevicePort);
        // Day 21: less than a third left; the gateway's own hourly timer renews it.
        clock.Advance(TimeSpan.FromDays(2));
        var issued = await renewed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var second = await HandshakeAsync(host.DevicePort);

        Assert.Equal(first.SerialNumber, stillFirst.SerialNumber);
        Assert.NotEqual(first.SerialNumber, second.SerialNumber);
        Assert.Equal(issued.SerialNumber, second.SerialNumber);
        Assert.True(second.NotAfter > first.NotAfter.AddDays(20), $"the new certificate runs to {second.NotAfter:u}, the old one to {first.NotAfter:u}");
        Assert.Equal(first.Issuer, second.Issuer);
        Assert.False(DeviceGatewayCertificates.IsDue(second, clock.GetUtcNow()));
    }

    [Fact]
    public void IsDue_WhenLessThanAThirdOfTheLifetimeIsLeft()
    {
        var notBefore = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var key = System.Security.Cryptography.ECDsa.Create();
        using var certificate = new CertificateRequest("CN=gateway", key, System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSelfSigned(notBefore, notBefore.AddDays(30));

        Assert.False(DeviceGatewayCertificates.IsDue(certificate, notBefore.AddDays(19)));
        Assert.True(DeviceGatewayCertificates.IsDue(certificate, notBefore.AddDays(20)));
        Assert.True(DeviceGatewayCertificates.IsDue(certificate, notBefore.AddDays(31)));
    }

    /// <summary>The certificate the device port presents to a new connection.</summary>
    private static async Task<X509Certificate2> HandshakeAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            // The unit's clock is days ahead of the real one: the test compares certificates, not validity.
            RemoteCertificateValidationCallback = static (_, _, _, _) => true,
        });
        return X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData());
    }
}
