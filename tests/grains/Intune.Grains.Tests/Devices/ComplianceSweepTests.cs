using Intune.Grains.Devices;
using Intune.Grains.Tests.Policies;
using Orleans.Core.Internal;

namespace Intune.Grains.Tests.Devices;

/// <summary>
/// Devices that stop checking in turn noncompliant through the tenant's validity sweep, with no
/// reminder of their own: the sweep finds them in the device index and each sweep takes only the
/// window of validity that ran out since the previous one.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ComplianceSweepTests(ClusterFixture fixture)
{
    private static readonly DeviceFacts Facts = new() { OsVersion = "10.0.22631", PasscodeSet = true, PasscodeLength = 8 };

    [Fact]
    public async Task Sweep_TurnsASilentDeactivatedDeviceNoncompliant_AndAsksEachDeviceOnce()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        await kit.Tenant.UpdateSettingsAsync(thresholdDays: 2, secureByDefault: null, isScheduledActionEnabled: null);
        var silent = await kit.EnrollAsync(DevicePlatform.Windows);
        var active = await kit.EnrollAsync(DevicePlatform.Windows);
        await silent.CheckInAsync(Facts);
        await active.CheckInAsync(Facts);
        // Gone from memory, as a device that stops checking in is after a while: no timer of its own is left.
        await silent.Device.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var sweep = fixture.Grains.GetGrain<IComplianceSweepGrain>(kit.TenantId);

        ClusterFixture.Time.Advance(TimeSpan.FromDays(1));
        await active.CheckInAsync(Facts);
        ClusterFixture.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(2));
        // The sweep's hourly reminder runs on the same clock and may have swept already; sweeps
        // take turns, so once this one returns the silent device has been asked by one of them.
        var asked = await sweep.SweepAsync();
        var askedAgain = await sweep.SweepAsync();

        Assert.InRange(asked, 0, 1);
        Assert.Equal(0, askedAgain);
        Assert.Equal(ComplianceState.Noncompliant, (await silent.Device.GetAsync())!.ComplianceState);
        Assert.Equal(ComplianceState.Compliant, (await active.Device.GetAsync())!.ComplianceState);
    }
}
