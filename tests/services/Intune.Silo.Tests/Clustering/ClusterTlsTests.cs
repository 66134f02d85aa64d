using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Intune.ClusterConfig;
using Intune.Grains.Tenants;
using Intune.Routing;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Intune.Silo.Tests.Clustering;

/// <summary>
/// Cluster ports with TLS (<c>ScaleUnit:ClusterTls</c>, on by default off loopback): silos of one unit
/// form a cluster over member certificates from the unit's CA, the gateways' clients reach grains,
/// and a process without a member certificate is refused at the handshake.
/// </summary>
public sealed class ClusterTlsTests
{
    [Fact]
    public async Task TwoSilosWithClusterTls_FormOneCluster_AndAMemberClientCallsGrains()
    {
        var unit = ScaleUnitTestHost.NewUnit("na-01", "na", account: "na01");
        unit.ClusterTls = true;
        await using var first = new ScaleUnitTestHost(unit);
        await using var second = new ScaleUnitTestHost(unit, gateways: false);
        await first.StartAsync();
        await second.StartAsync();

        var management = first.Grains.GetGrain<IManagementGrain>(0);
        Assert.Equal(2, (await management.GetHosts(onlyActive: true)).Count);

        await using var clients = new ScaleUnitClients([unit], development: true);
        var grains = await clients.GetAsync(unit.Id, CancellationToken.None);
        var tenantId = Guid.NewGuid().ToString();
        await grains.GetGrain<ITenantGrain>(tenantId).CreateAsync("Over TLS", "na");
        Assert.Equal("Over TLS", (await first.Grains.GetGrain<ITenantGrain>(tenantId).GetAsync())!.DisplayName);
    }

    [Fact]
    public async Task ClientsWithoutAMemberCertificate_AreRefused()
    {
        var unit = ScaleUnitTestHost.NewUnit("na-01", "na", account: "na01");
        unit.ClusterTls = true;
        await using var silo = new ScaleUnitTestHost(unit, gateways: false);
        await silo.StartAsync();
        var authority = await silo.Services.GetRequiredService<Intune.Grains.Certificates.CertificateAuthority>().GetCertificateAsync();

        // The same client with a member certificate of this unit's CA gets in: the refusals below are the certificates'.
        Assert.Null(await ConnectAsync(unit, WithCertificate(ClusterMemberCertificates.Issue(authority, unit.Id, DateTimeOffset.UtcNow, TimeSpan.FromDays(1)))));

        // In the clear, as before cluster TLS.
        await AssertRefusedAsync(unit, configureTls: null);

        // TLS with a member certificate of another CA (a unit that is not this one).
        using var otherAuthority = SelfSignedAuthority();
        var foreign = ClusterMemberCertificates.Issue(otherAuthority, unit.Id, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        await AssertRefusedAsync(unit, certificate: foreign);

        // TLS with a certificate of this unit's CA but without the member usage, as a device's MDM certificate.
        var device = IssueDeviceLike(authority);
        await AssertRefusedAsync(unit, certificate: device);
    }

    private static Task AssertRefusedAsync(ScaleUnitOptions unit, X509Certificate2 certificate) =>
        AssertRefusedAsync(unit, WithCertificate(certificate));

    private static Action<Orleans.Connections.Security.TlsOptions> WithCertificate(X509Certificate2 certificate) => o =>
    {
        o.LocalClientCertificateSelector = (_, _, _, _, _) => certificate;
        o.ClientCertificateMode = Orleans.Connections.Security.RemoteCertificateMode.AllowCertificate;
        // This client trusts any silo; the silo is the one that must refuse.
        o.AllowAnyRemoteCertificate();
    };

    private static async Task AssertRefusedAsync(ScaleUnitOptions unit, Action<Orleans.Connections.Security.TlsOptions>? configureTls)
    {
        var refused = await ConnectAsync(unit, configureTls);
        Assert.True(refused is SiloUnavailableException or Orleans.Runtime.Messaging.ConnectionFailedException or OrleansMessageRejectionException, $"Expected the silo to refuse the connection, got {refused?.GetType().Name ?? "no error"}: {refused?.Message}");
    }

    /// <summary>Starts an Orleans client of the unit (not ours: as anyone on the network could) and calls a grain; the error, if any.</summary>
    private static async Task<Exception?> ConnectAsync(ScaleUnitOptions unit, Action<Orleans.Connections.Security.TlsOptions>? configureTls)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = unit.ClusterId;
                o.ServiceId = unit.ServiceId;
            });
            var storage = new ScaleUnitStorage(unit);
            client.UseAzureStorageClustering(o =>
            {
                o.TableServiceClient = storage.Tables;
                o.TableName = storage.Layout.Membership.Name;
            });
            if (configureTls is not null)
            {
                client.UseTls(configureTls);
            }

            client.UseConnectionRetryFilter((_, _) => Task.FromResult(false));
        });
        using var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var refused = await Record.ExceptionAsync(async () =>
        {
            await host.StartAsync(timeout.Token);
            await host.Services.GetRequiredService<IClusterClient>().GetGrain<ITenantGrain>(Guid.NewGuid().ToString()).GetAsync();
        });
        Assert.False(timeout.IsCancellationRequested, "The silo should refuse the handshake, not leave the client waiting.");
        return refused;
    }

    private static X509Certificate2 SelfSignedAuthority()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Intune.Cluster na-01 CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    private static X509Certificate2 IssueDeviceLike(X509Certificate2 authority)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=device, OU=na-01", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), [7, 7, 7, 7]);
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), password: null);
    }
}
