using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Intune.ClusterConfig;
using Intune.Routing;
using Microsoft.Extensions.Time.Testing;

namespace Intune.Routing.Tests;

/// <summary>Who counts as a cluster member: a certificate of this unit's CA with the member usage, valid now.</summary>
public sealed class ClusterMemberCertificatesTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public void AMemberCertificateOfTheUnitCa_IsAMember()
    {
        using var authority = NewAuthority("unit CA");
        var certificates = Loaded(authority);

        Assert.True(certificates.IsClusterMember(certificates.Current));
        Assert.Contains("OU=na-01", certificates.Current.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void ACertificateOfTheUnitCaWithoutTheMemberUsage_AsADeviceCertificate_IsNotAMember()
    {
        using var authority = NewAuthority("unit CA");
        var certificates = Loaded(authority);
        using var device = IssueWithout(authority, "device", new Oid("1.3.6.1.5.5.7.3.2"));

        Assert.False(certificates.IsClusterMember(device));
    }

    [Fact]
    public void AMemberCertificateOfAnotherCa_IsNotAMember()
    {
        using var authority = NewAuthority("unit CA");
        using var other = NewAuthority("unit CA");
        var certificates = Loaded(authority);
        using var foreign = ClusterMemberCertificates.Issue(other, "na-01", _time.GetUtcNow(), TimeSpan.FromDays(7));

        Assert.False(certificates.IsClusterMember(foreign));
        Assert.False(certificates.IsClusterMember(null));
    }

    [Fact]
    public void AnExpiredMemberCertificate_IsNotAMember()
    {
        using var authority = NewAuthority("unit CA");
        var certificates = Loaded(authority);
        var first = certificates.Current;

        _time.Advance(TimeSpan.FromDays(8));

        Assert.False(certificates.IsClusterMember(first));
        Assert.True(certificates.IsClusterMember(certificates.Current));
    }

    [Fact]
    public void PastHalfItsLifetime_TheCertificateIsReissued_BeforeItExpires()
    {
        using var authority = NewAuthority("unit CA");
        var certificates = Loaded(authority);
        var first = certificates.Current;

        _time.Advance(TimeSpan.FromDays(3));
        Assert.Same(first, certificates.Current);

        _time.Advance(TimeSpan.FromDays(1));
        var second = certificates.Current;
        Assert.NotSame(first, second);
        Assert.NotEqual(first.SerialNumber, second.SerialNumber);
        Assert.True(second.NotAfter > first.NotAfter);
        Assert.True(certificates.IsClusterMember(second));
        Assert.True(certificates.IsClusterMember(first), "The previous certificate stays valid until it expires, so peers with it are not cut off.");
    }

    [Fact]
    public void BeforeLoading_NoCertificateIsPresentedAndNoneAccepted()
    {
        var certificates = new ClusterMemberCertificates("na-01");

        Assert.False(certificates.IsLoaded);
        Assert.Throws<InvalidOperationException>(() => certificates.Current);
        Assert.False(certificates.IsClusterMember(null));
    }

    [Theory]
    [InlineData("127.0.0.1", null, false)]
    [InlineData("::1", null, false)]
    [InlineData("10.0.0.4", null, true)]
    [InlineData("127.0.0.1", true, true)]
    [InlineData("127.0.0.1", false, false)]
    public void ClusterTlsIsOnOffLoopbackUnlessConfigured(string address, bool? configured, bool expected)
    {
        var unit = new ScaleUnitOptions { ClusterAddress = address, ClusterTls = configured };

        Assert.Equal(expected, ClusterTls.IsEnabled(unit));
    }

    private ClusterMemberCertificates Loaded(X509Certificate2 authority)
    {
        var certificates = new ClusterMemberCertificates("na-01");
        certificates.Load(authority, _time);
        return certificates;
    }

    private X509Certificate2 NewAuthority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = _time.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
    }

    private X509Certificate2 IssueWithout(X509Certificate2 authority, string name, Oid usage)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        var now = _time.GetUtcNow();
        return request.Create(authority, now.AddMinutes(-5), now.AddDays(30), [1, 2, 3, 4]);
    }
}
