using System.Diagnostics;
using Intune.Grains.Devices;
using Intune.Grains.Policies;
using Xunit.Abstractions;

namespace Intune.Grains.Tests.Policies;

[Collection(LargeClusterCollection.Name)]
/// <summary>An assignment to a large group touches no device; each device picks the policy up at its own check-in.</summary>
public sealed class LargeGroupDeliveryTests(LargeClusterFixture fixture, ITestOutputHelper output)
{
    private const int DeviceCount = 3_000;

    [Fact]
    public async Task AssignAsync_LargeGroup_NoDeviceTouchedUntilCheckInThenCountsAddUp()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var devices = new EnrolledDevice[DeviceCount];
        var clock = Stopwatch.StartNew();
        foreach (var slice in Enumerable.Range(0, DeviceCount).Chunk(500))
        {
            await Task.WhenAll(slice.Select(async i =>
            {
                devices[i] = await kit.EnrollAsync(DevicePlatform.Windows, $"user{i % 750}@contoso.example");
                // Every third device has no BitLocker: noncompliant once the policy lands.
                await devices[i].CheckInAsync(new DeviceFacts { OsVersion = "10.0.22631", BitLockerEnabled = i % 3 != 0 });
            }));
        }

        output.WriteLine($"enrolled and checked in {DeviceCount} devices in {clock.Elapsed}");
        var group = await kit.CreateGroupAsync(devices.Select(EnrolledDevice.AsMember).ToArray());
        var policy = await kit.CreateComplianceAsync("windows10CompliancePolicy", new Dictionary<string, string> { ["bitLockerEnabled"] = "true" });
        var policyId = GrainKeys.Split(policy.GetPrimaryKeyString()).Id;

        clock.Restart();
        await policy.AssignAsync([PolicyTestKit.Include(group)]);
        output.WriteLine($"assigned to {DeviceCount} devices in {clock.Elapsed}");

        var pending = await policy.GetDeviceOverviewAsync();
        var heldBefore = await Task.WhenAll(devices.Select(async d => (await d.Compliance.GetPolicyStatusesAsync(PolicyKind.Compliance)).Any(s => s.PolicyId == policyId)));
        Assert.All(heldBefore, Assert.False);
        Assert.Equal((DeviceCount, DeviceCount), (pending.PendingCount, pending.Total));

        foreach (var slice in devices.Chunk(500))
        {
            await Task.WhenAll(slice.Select(d => d.CheckInAsync(new DeviceFacts { OsVersion = "10.0.22631", BitLockerEnabled = Array.IndexOf(devices, d) % 3 != 0 })));
        }

        var held = await Task.WhenAll(devices.Select(async d => (await d.Compliance.GetPolicyStatusesAsync(PolicyKind.Compliance)).Any(s => s.PolicyId == policyId)));
        Assert.All(held, Assert.True);
        var expectedFailed = Enumerable.Range(0, DeviceCount).Count(i => i % 3 == 0);
        var overview = await policy.GetDeviceOverviewAsync();
        Assert.Equal(DeviceCount, overview.Total);
        Assert.Equal((DeviceCount - expectedFailed, expectedFailed, 0), (overview.SuccessCount, overview.FailedCount, overview.PendingCount));
        Assert.Equal(DeviceCount, (await policy.GetDeviceStatusesAsync()).Count);
        var users = await policy.GetUserOverviewAsync();
        Assert.Equal(750, users.Total);
        var summary = await kit.Summary.GetAsync(PolicyKind.Compliance);
        Assert.Equal((DeviceCount - expectedFailed, expectedFailed), (summary.CompliantDeviceCount, summary.NonCompliantDeviceCount));
        Assert.Equal(DeviceCount, await policy.GetTargetedDeviceCountAsync());
    }
}
