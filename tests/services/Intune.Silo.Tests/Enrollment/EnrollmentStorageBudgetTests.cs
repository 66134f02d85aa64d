using Intune.Device.V1;
using Intune.DeviceSim;
using Intune.Grains;
using Intune.Grains.Devices;
using Intune.Testing;
using Xunit.Abstractions;

namespace Intune.Silo.Tests.Enrollment;

/// <summary>
/// What an enrollment and a device's first check-in cost in storage requests, counted on the real
/// stack (Azurite behind the unit's counting pipeline policy), one device at a time so nothing is
/// shared with another device's transaction. Issue #14's budget: an enrollment at most 3 requests
/// on its critical path — the user's device reservation, the device's insert and its catalog row;
/// the user's row is read once more when the User grain activates (the user's first device in a
/// while) — and no per-device reminder, tenant write or read of the new device.
/// </summary>
public sealed class EnrollmentStorageBudgetTests(ITestOutputHelper output)
{
    [Fact]
    public async Task EnrollmentAndFirstCheckIn_StayWithinTheirStorageBudget()
    {
        await using var host = new ScaleUnitTestHost();
        await host.StartAsync();
        var (tenantId, token) = await host.CreateTenantAsync();
        // The first device creates the tables; the index partitions load once per silo. Neither is
        // what an enrollment costs.
        using (var warmUp = host.NewDevice(Platform.Windows, 0))
        {
            await warmUp.EnrollAsync(token);
            await warmUp.CheckInAsync();
        }

        for (var partition = 0; partition < DeviceIndexPartitions.Count; partition++)
        {
            await host.Grains.GetGrain<IDeviceIndexGrain>(DeviceIndexPartitions.Key(tenantId, partition)).LastSyncedWithinAsync(DateTimeOffset.MinValue, DateTimeOffset.MinValue);
        }

        using var first = host.NewDevice(Platform.Windows, 1);
        using var second = new SimulatedDevice(host.DeviceGateway, DeviceProfile.Create(Platform.Ios, 2, noncompliant: false, new Random(2)) with { UserPrincipalName = first.Profile.UserPrincipalName });
        var newUser = await MeasureAsync("enrollment, the user's first device", () => first.EnrollAsync(token));
        var firstCheckIn = await MeasureAsync("first check-in", () => first.CheckInAsync());
        var returningUser = await MeasureAsync("enrollment, the user's second device", () => second.EnrollAsync(token));
        var secondCheckIn = await MeasureAsync("first check-in", () => second.CheckInAsync());

        Assert.Equal(3, returningUser.Total);
        Assert.Equal("devices/write ×1, grainstate/write ×2", returningUser.Detail);
        Assert.Equal(4, newUser.Total);
        Assert.Equal("devices/write ×1, grainstate/read ×1, grainstate/write ×2", newUser.Detail);
        foreach (var checkIn in new[] { firstCheckIn, secondCheckIn })
        {
            Assert.Equal("devices/write ×1, grainstate/write ×1, hardwareindex/write ×1", checkIn.Detail);
        }
    }

    private async Task<(long Total, string Detail)> MeasureAsync(string what, Func<Task> operation)
    {
        var before = StorageRequestMeter.Snapshot();
        var total = StorageRequestMeter.Total;
        await operation();
        var requests = StorageRequestMeter.Total - total;
        var detail = StorageRequestMeter.Describe(before, StorageRequestMeter.Snapshot());
        output.WriteLine($"{what}: {requests} ({detail})");
        return (requests, detail);
    }
}
