using Intune.Grains.Devices;
using Intune.Grains.Tenants;

namespace Intune.Grains.Tests.Devices;

[Collection(ClusterCollection.Name)]
public sealed class DeviceGrainTests(ClusterFixture fixture)
{
    private async Task<(IDeviceGrain Device, DeviceEnrollmentResult Enrollment)> EnrollAsync(DevicePlatform platform = DevicePlatform.Windows)
    {
        var tenant = fixture.Grains.GetGrain<ITenantGrain>(Guid.NewGuid().ToString());
        await tenant.CreateAsync("Contoso", "na");
        var token = await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(1), null);
        var result = await fixture.Grains.GetGrain<IEnrollmentGrain>(0).EnrollAsync(token.Token!, TestDevices.Enrollment(platform));
        return (fixture.Grains.GetGrain<IDeviceGrain>(GrainKeys.Scoped(result.TenantId, result.DeviceId)), result);
    }

    [Fact]
    public async Task CheckInAsync_HoldingCurrentEtag_AnswersNotModified()
    {
        var (device, enrollment) = await EnrollAsync();
        var serial = TestDevices.SerialOf(enrollment);
        var facts = new DeviceFacts { OsVersion = "10.0.22631.4460", StorageEncrypted = true };

        var first = await device.CheckInAsync(new DeviceCheckIn(serial, facts, null));
        var second = await device.CheckInAsync(new DeviceCheckIn(serial, facts, first.AssignmentEtag));

        Assert.False(first.NotModified);
        Assert.True(second.NotModified);
        Assert.Equal(first.AssignmentEtag, second.AssignmentEtag);
        Assert.Equal(ComplianceState.Compliant, second.ComplianceState);
    }

    [Fact]
    public async Task CheckInAsync_WithAnotherCertificateSerial_IsRefused()
    {
        var (device, _) = await EnrollAsync();

        var error = await Assert.ThrowsAsync<DeviceAuthenticationException>(() =>
            device.CheckInAsync(new DeviceCheckIn("0123456789ABCDEF", new DeviceFacts(), null)));

        Assert.Contains("no longer valid", error.Message);
    }

    [Fact]
    public async Task CheckInAsync_NeverEnrolledDevice_IsRefused()
    {
        var device = fixture.Grains.GetGrain<IDeviceGrain>(GrainKeys.Scoped(Guid.NewGuid().ToString(), Guid.NewGuid().ToString()));

        await Assert.ThrowsAsync<DeviceAuthenticationException>(() => device.CheckInAsync(new DeviceCheckIn("AA", new DeviceFacts(), null)));
        Assert.Null(await device.GetAsync());
    }

    [Fact]
    public async Task CheckInAsync_ChangedFacts_AreVisibleToAdmins()
    {
        var (device, enrollment) = await EnrollAsync(DevicePlatform.Android);
        var facts = new DeviceFacts { OsVersion = "15", DeviceName = "Pixel-renamed", StorageEncrypted = true, JailBroken = false, AndroidSecurityPatchLevel = "2026-11-01" };

        await device.CheckInAsync(new DeviceCheckIn(TestDevices.SerialOf(enrollment), facts, null));
        var view = await device.GetAsync();

        Assert.NotNull(view);
        Assert.Equal("15", view.OsVersion);
        Assert.Equal("Pixel-renamed", view.DeviceName);
        Assert.Equal("2026-11-01", view.Facts.AndroidSecurityPatchLevel);
        Assert.Equal(ClusterFixture.Time.GetUtcNow(), view.LastSyncDateTime);
    }

    [Fact]
    public async Task EnrollAsync_SecondTimeOnTheSameKey_IsRejected()
    {
        var (device, _) = await EnrollAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => device.EnrollAsync(TestDevices.Enrollment()));
    }
}
