using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Intune.ClusterConfig;
using Intune.Grains.Certificates;
using Intune.Testing.InMemory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Intune.Grains.Tests.Certificates;

/// <summary>The CA's private key is encrypted at rest: reading the unit's storage is not enough to mint certificates.</summary>
public sealed class SealedAuthorityTests
{
    private static readonly byte[] UnitKey = RandomNumberGenerator.GetBytes(SealedCertificateAuthority.KeySize);

    private static CertificateAuthority NewAuthority(ICertificateAuthorityStore store, byte[] key, bool acceptsUnsealed = true) =>
        new(store, Options.Create(new CertificateAuthorityOptions { ScaleUnitId = "na-01", KeyEncryptionKey = key, AcceptsUnsealedAuthority = acceptsUnsealed }), new FakeTimeProvider(DateTimeOffset.UtcNow));

    [Fact]
    public async Task StoredAuthority_HoldsNoReadablePrivateKey_AndReopensWithTheUnitKey()
    {
        var store = new InMemoryCertificateAuthorityStore();
        var created = await NewAuthority(store, UnitKey).GetCertificateAsync();
        var stored = (await store.LoadAsync(default))!;

        using var key = created.GetECDsaPrivateKey()!;
        var privateScalar = key.ExportParameters(includePrivateParameters: true).D!;
        Assert.True(SealedCertificateAuthority.IsSealed(stored));
        Assert.Equal(-1, stored.AsSpan().IndexOf(privateScalar));
        Assert.ThrowsAny<CryptographicException>(() => X509CertificateLoader.LoadPkcs12(stored, password: null));

        var reopened = await NewAuthority(store, UnitKey).GetCertificateAsync();
        Assert.Equal(created.Thumbprint, reopened.Thumbprint);
        using var issued = await NewAuthority(store, UnitKey).IssueDeviceCertificateAsync(TestDevices.Csr(), "tenant-1", "device-1");
        Assert.Equal(created.SubjectName.Name, issued.IssuerName.Name);
        Assert.Equal(created.RawData, SealedCertificateAuthority.PublicCertificate(stored));
    }

    [Fact]
    public async Task StoredAuthority_WithAnotherKey_IsRefusedNamingTheSetting()
    {
        var store = new InMemoryCertificateAuthorityStore();
        await NewAuthority(store, UnitKey).GetCertificateAsync();

        var error = await Assert.ThrowsAnyAsync<CryptographicException>(() => NewAuthority(store, RandomNumberGenerator.GetBytes(32)).GetCertificateAsync());

        Assert.Contains("ScaleUnit:CertificateAuthorityKey", error.Message);
    }

    [Fact]
    public async Task StoredAuthority_WithAnotherCertificateSpliced_IsRefused()
    {
        var store = new InMemoryCertificateAuthorityStore();
        await NewAuthority(store, UnitKey).GetCertificateAsync();
        var stored = (await store.LoadAsync(default))!;
        stored[20] ^= 0x01; // a byte of the clear certificate: authenticated, so the seal breaks

        Assert.ThrowsAny<CryptographicException>(() => SealedCertificateAuthority.Open(stored, UnitKey));
    }

    [Fact]
    public async Task UnsealedAuthorityFromAnOlderVersion_LoadsInDevelopmentOnly()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=old CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var old = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var store = new InMemoryCertificateAuthorityStore();
        await store.TryCreateAsync(old.Export(X509ContentType.Pkcs12), default);

        Assert.Equal(old.Thumbprint, (await NewAuthority(store, UnitKey).GetCertificateAsync()).Thumbprint);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => NewAuthority(store, UnitKey, acceptsUnsealed: false).GetCertificateAsync());
        Assert.Contains("unencrypted", refused.Message);
    }

    [Theory]
    [InlineData(null, "required outside Development")]
    [InlineData("not base64!", "not base64")]
    [InlineData("AAAA", "exactly 32")]
    public void ResolveKey_OutsideDevelopment_RefusesAMissingOrMalformedKey(string? configured, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => SealedCertificateAuthority.ResolveKey(configured, development: false));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ResolveKey_OutsideDevelopment_RefusesTheDevelopmentKey()
    {
        var development = Convert.ToBase64String(SealedCertificateAuthority.ResolveKey(null, development: true));

        var error = Assert.Throws<InvalidOperationException>(() => SealedCertificateAuthority.ResolveKey(development, development: false));

        Assert.Contains("development key", error.Message);
        Assert.Equal(UnitKey, SealedCertificateAuthority.ResolveKey(Convert.ToBase64String(UnitKey), development: false));
    }
}
