using Intune.Grains.Devices;
using Intune.Grains.Errors;
using Intune.Grains.Tenants;
using Intune.Grains.Users;

namespace Intune.Grains.Tests.Tenants;

[Collection(ClusterCollection.Name)]
public sealed class EnrollmentRestrictionsGrainTests(ClusterFixture fixture)
{
    private async Task<ITenantGrain> TenantAsync()
    {
        var tenant = fixture.Grains.GetGrain<ITenantGrain>(Guid.NewGuid().ToString());
        await tenant.CreateAsync("Contoso", "na");
        return tenant;
    }

    private Task<DeviceEnrollmentResult> EnrollAsync(EnrollmentTokenInfo token, DevicePlatform platform = DevicePlatform.Windows) =>
        fixture.Grains.GetGrain<IEnrollmentGrain>(0).EnrollAsync(token.Token!, TestDevices.Enrollment(platform));

    [Fact]
    public async Task ReserveDeviceAsync_DeviceSilentForMoreThan90Days_NoLongerCounts()
    {
        var tenant = await TenantAsync();
        var tenantId = tenant.GetPrimaryKeyString();
        await tenant.UpdateEnrollmentConfigurationAsync($"{tenantId}_DefaultLimit", new EnrollmentConfigurationPatch { Limit = 1 });
        var first = await EnrollAsync(await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(1), null));
        var refused = await Assert.ThrowsAsync<EnrollmentRefusedException>(async () => await EnrollAsync(await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(1), null)));

        ClusterFixture.Time.Advance(UserDevices.ActiveWindow + TimeSpan.FromDays(1));
        var second = await EnrollAsync(await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(1), null));

        Assert.Equal(EnrollmentRefusal.DeviceLimitReached, refused.Reason);
        var devices = await fixture.Grains.GetGrain<IUserGrain>(UserDevices.Key(tenantId, "Adele@Contoso.example")).GetDeviceIdsAsync();
        Assert.Equal([first.DeviceId, second.DeviceId], devices);
    }

    [Fact]
    public async Task AdmitEnrollmentAsync_Refused_CountsNoTokenUse()
    {
        var tenant = await TenantAsync();
        var tenantId = tenant.GetPrimaryKeyString();
        var restrictions = $"{tenantId}_DefaultPlatformRestrictions";
        await tenant.UpdateEnrollmentConfigurationAsync(restrictions, new EnrollmentConfigurationPatch { MacOSRestriction = new PlatformRestriction(PlatformBlocked: true) });
        var token = await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(1), maximumUses: 1);

        var refused = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => EnrollAsync(token, DevicePlatform.MacOS));
        await EnrollAsync(token, DevicePlatform.Windows);

        Assert.Equal(EnrollmentRefusal.PlatformBlocked, refused.Reason);
        Assert.Equal(1, (await tenant.ListEnrollmentTokensAsync()).Single().Uses);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    public async Task UpdateEnrollmentConfigurationAsync_LimitOutOfRange_IsRefused(int limit)
    {
        var tenant = await TenantAsync();

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            tenant.UpdateEnrollmentConfigurationAsync($"{tenant.GetPrimaryKeyString()}_DefaultLimit", new EnrollmentConfigurationPatch { Limit = limit }));

        Assert.Contains("between 1 and 15", error.Message);
    }

    [Fact]
    public async Task SetEnrollmentConfigurationPriorityAsync_Default_IsRefused()
    {
        var tenant = await TenantAsync();

        await Assert.ThrowsAsync<InvalidRequestException>(() =>
            tenant.SetEnrollmentConfigurationPriorityAsync($"{tenant.GetPrimaryKeyString()}_DefaultLimit", 1));
    }

    [Fact]
    public async Task RevokeEnrollmentTokenAsync_KnownAndUnknownIds_RevokesOnlyTheKnownOne()
    {
        var tenant = await TenantAsync();
        var token = await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(1), null);

        Assert.True(await tenant.RevokeEnrollmentTokenAsync(token.TokenId));
        Assert.False(await tenant.RevokeEnrollmentTokenAsync("no-such-token"));

        Assert.True((await tenant.ListEnrollmentTokensAsync()).Single().Revoked);
        var refused = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => EnrollAsync(token));
        Assert.Equal(EnrollmentRefusal.TokenRevoked, refused.Reason);
    }

    [Theory]
    [InlineData("10.0.19045", "10.0.19045.0", 0)]
    [InlineData("10.0.9", "10.0.10", -1)]
    [InlineData("18.1.1", "18.1", 1)]
    [InlineData("15", "14.9.9", 1)]
    public void Compare_DottedVersions_ComparesNumerically(string left, string right, int expected)
    {
        Assert.True(OsVersion.TryParse(left, out var l));
        Assert.True(OsVersion.TryParse(right, out var r));

        Assert.Equal(expected, Math.Sign(OsVersion.Compare(l, r)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("eighteen")]
    [InlineData("10..1")]
    [InlineData("-1.0")]
    public void TryParse_NotADottedVersion_IsFalse(string text) => Assert.False(OsVersion.TryParse(text, out _));
}
