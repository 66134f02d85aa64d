using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Intune.Grains.Devices;
using Intune.Grains.Tenants;

namespace Intune.Grains.Tests.Devices;

[Collection(ClusterCollection.Name)]
public sealed class EnrollmentGrainTests(ClusterFixture fixture)
{
    private async Task<(ITenantGrain Tenant, string Token)> NewTenantAsync(int? maximumUses = null, TimeSpan? lifetime = null)
    {
        var tenantId = Guid.NewGuid().ToString();
        var tenant = fixture.Grains.GetGrain<ITenantGrain>(tenantId);
        await tenant.CreateAsync("Contoso", "na");
        var token = await tenant.CreateEnrollmentTokenAsync(lifetime ?? TimeSpan.FromDays(1), maximumUses);
        return (tenant, token.Token!);
    }

    private IEnrollmentGrain Enrollment => fixture.Grains.GetGrain<IEnrollmentGrain>(0);

    [Fact]
    public async Task EnrollAsync_ValidToken_IssuesCertificateNamingTenantAndDevice()
    {
        var (tenant, token) = await NewTenantAsync();

        var result = await Enrollment.EnrollAsync(token, TestDevices.Enrollment(DevicePlatform.IOS, osVersion: "18.1"));

        using var certificate = X509CertificateLoader.LoadCertificate(result.Certificate);
        Assert.Contains($"CN={result.DeviceId}", certificate.Subject);
        Assert.Contains($"O={tenant.GetPrimaryKeyString()}", certificate.Subject);
        Assert.InRange(certificate.NotAfter.ToUniversalTime() - ClusterFixture.Time.GetUtcNow().UtcDateTime, TimeSpan.FromDays(364), TimeSpan.FromDays(366));
        var device = await fixture.Grains.GetGrain<IDeviceGrain>(GrainKeys.Scoped(result.TenantId, result.DeviceId)).GetAsync();
        Assert.NotNull(device);
        Assert.Equal(DevicePlatform.IOS, device.Platform);
        Assert.Equal("18.1", device.OsVersion);
        Assert.Equal(1, (await tenant.ListEnrollmentTokensAsync()).Single().Uses);
    }

    [Fact]
    public async Task EnrollAsync_WrongSecret_RefusedWithoutConsumingAUse()
    {
        var (tenant, token) = await NewTenantAsync();
        var forged = token[..^4] + "0000";

        var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => Enrollment.EnrollAsync(forged, TestDevices.Enrollment()));

        Assert.Equal(EnrollmentRefusal.InvalidToken, refusal.Reason);
        Assert.Equal(0, (await tenant.ListEnrollmentTokensAsync()).Single().Uses);
    }

    [Fact]
    public async Task EnrollAsync_ConcurrentEnrollmentsOnALimitedToken_AdmitsExactlyTheMaximum()
    {
        // Admissions interleave and share token-use writes (group commit); the limit must still
        // be exact because the check and the count run in one turn.
        var (tenant, token) = await NewTenantAsync(maximumUses: 5);

        // One user each, so the per-user device limit plays no part.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            try
            {
                await Enrollment.EnrollAsync(token, TestDevices.Enrollment() with { UserPrincipalName = $"user{i}@contoso.example" });
                return (EnrollmentRefusal?)null;
            }
            catch (EnrollmentRefusedException ex)
            {
                return ex.Reason;
            }
        }));

        Assert.Equal(5, outcomes.Count(o => o is null));
        Assert.All(outcomes.Where(o => o is not null), o => Assert.Equal(EnrollmentRefusal.TokenExhausted, o));
        Assert.Equal(5, (await tenant.ListEnrollmentTokensAsync()).Single().Uses);
    }

    [Fact]
    public async Task EnrollAsync_OneUserEnrollingSeveralDevicesAtOnce_NoDeadlockAndLimitHolds()
    {
        // The User grain reads the user's devices' views while a device of the same user waits on
        // it to record its enrollment; that used to deadlock until the 30 s call timeout.
        var (_, token) = await NewTenantAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                await Enrollment.EnrollAsync(token, TestDevices.Enrollment());
                return (EnrollmentRefusal?)null;
            }
            catch (EnrollmentRefusedException ex)
            {
                return ex.Reason;
            }
        }));

        // The default limit is 5 devices per user: exactly 5 admitted, the other 3 refused for the limit
        // (ResourceExhausted at the device gateway).
        Assert.Equal(5, outcomes.Count(o => o is null));
        Assert.Equal(3, outcomes.Count(o => o == EnrollmentRefusal.DeviceLimitReached));
    }

    [Fact]
    public async Task EnrollAsync_TokenAtMaximumUses_RefusedAsExhausted()
    {
        var (_, token) = await NewTenantAsync(maximumUses: 1);
        await Enrollment.EnrollAsync(token, TestDevices.Enrollment());

        var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => Enrollment.EnrollAsync(token, TestDevices.Enrollment()));

        Assert.Equal(EnrollmentRefusal.TokenExhausted, refusal.Reason);
    }

    [Fact]
    public async Task EnrollAsync_TokenPastExpiry_RefusedAsExpired()
    {
        var (_, token) = await NewTenantAsync(lifetime: TimeSpan.FromHours(1));
        ClusterFixture.Time.Advance(TimeSpan.FromHours(2));

        var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => Enrollment.EnrollAsync(token, TestDevices.Enrollment()));

        Assert.Equal(EnrollmentRefusal.TokenExpired, refusal.Reason);
    }

    [Fact]
    public async Task EnrollAsync_WeakRsaKey_RefusedBeforeTheTokenIsUsed()
    {
        var (tenant, token) = await NewTenantAsync();
        using var weak = RSA.Create(1024);
        var csr = new CertificateRequest("CN=weak", weak, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequest();

        var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => Enrollment.EnrollAsync(token, TestDevices.Enrollment(csr: csr)));

        Assert.Equal(EnrollmentRefusal.InvalidRequest, refusal.Reason);
        Assert.Contains("2048", refusal.Message);
        Assert.Equal(0, (await tenant.ListEnrollmentTokensAsync()).Single().Uses);
    }

    [Fact]
    public async Task EnrollAsync_UnknownTenant_RefusedAsTenantNotFound()
    {
        var token = EnrollmentTokenFormat.Compose(Guid.NewGuid().ToString(), "secret");

        var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => Enrollment.EnrollAsync(token, TestDevices.Enrollment()));

        Assert.Equal(EnrollmentRefusal.TenantNotFound, refusal.Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-dot")]
    [InlineData(".secret")]
    public async Task EnrollAsync_MalformedToken_RefusedAsInvalid(string token)
    {
        var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => Enrollment.EnrollAsync(token, TestDevices.Enrollment()));

        Assert.Equal(EnrollmentRefusal.InvalidToken, refusal.Reason);
    }
}
