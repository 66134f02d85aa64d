using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Intune.Grains.Certificates;
using Intune.Testing.InMemory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Intune.Grains.Tests.Certificates;

public sealed class CertificateAuthorityTests
{
    private static CertificateAuthority NewAuthority(ICertificateAuthorityStore store) =>
        new(store, Options.Create(new CertificateAuthorityOptions { ScaleUnitId = "na-01" }), new FakeTimeProvider(DateTimeOffset.UtcNow));

    [Fact]
    public async Task GetCertificateAsync_SecondInstanceOnSameStore_ReusesTheStoredAuthority()
    {
        var store = new InMemoryCertificateAuthorityStore();

        var first = await NewAuthority(store).GetCertificateAsync();
        var second = await NewAuthority(store).GetCertificateAsync();

        Assert.Equal(first.Thumbprint, second.Thumbprint);
        Assert.True(second.HasPrivateKey);
    }

    [Fact]
    public async Task IssueDeviceCertificateAsync_ChainsToTheAuthorityWithClientAuthentication()
    {
        var authority = NewAuthority(new InMemoryCertificateAuthorityStore());

        using var issued = await authority.IssueDeviceCertificateAsync(TestDevices.Csr(), "tenant-1", "device-1");

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(await authority.GetCertificateAsync());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        Assert.True(chain.Build(issued), string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal("CN=device-1, O=tenant-1, OU=na-01", issued.Subject);
    }

    [Fact]
    public void ParseSigningRequest_Rsa2048_IsAccepted()
    {
        using var key = RSA.Create(2048);
        var csr = new CertificateRequest("CN=rsa", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequest();

        var parsed = CertificateAuthority.ParseSigningRequest(csr);

        Assert.Equal("1.2.840.113549.1.1.1", parsed.PublicKey.Oid.Value);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 })]
    public void ParseSigningRequest_NotACsr_ExplainsWhy(byte[] csr)
    {
        var error = Assert.Throws<ArgumentException>(() => CertificateAuthority.ParseSigningRequest(csr));

        Assert.Contains("certificate signing request", error.Message);
    }
}
