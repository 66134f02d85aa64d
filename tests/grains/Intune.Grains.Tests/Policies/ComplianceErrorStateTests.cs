using Intune.Grains.Devices;
using Intune.Grains.Policies;

namespace Intune.Grains.Tests.Policies;

/// <summary>A policy in error holds the device's previous state for 7 days, then counts as noncompliant (docs/architecture.md §9).</summary>
[Collection(ClusterCollection.Name)]
public sealed class ComplianceErrorStateTests(ClusterFixture fixture)
{
    private static readonly DeviceFacts Android = new() { OsVersion = "14", AndroidSecurityPatchLevel = "2025-06-01" };

    [Fact]
    public async Task RunDueDeadlinesAsync_ErrorFor7Days_HoldsPreviousStateThenNoncompliantWithoutCheckIn()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var device = await kit.EnrollAsync(DevicePlatform.Android, osVersion: "14");
        await device.CheckInAsync(Android);
        var policy = await kit.CreateComplianceAsync("androidCompliancePolicy", new Dictionary<string, string> { ["minAndroidSecurityPatchLevel"] = "\"2025-01-01\"" });
        await policy.AssignAsync([new AssignmentTarget(AssignmentTargetKind.AllDevices, null)]);
        await device.CheckInAsync(Android);
        var before = (await device.Device.GetAsync())!.ComplianceState;

        // The policy now carries a value that cannot be evaluated: the device's status is error.
        await policy.UpdateAsync(new PolicyUpdate { Settings = new Dictionary<string, string?> { ["minAndroidSecurityPatchLevel"] = "\"January\"" } });
        await device.CheckInAsync(Android);
        var held = (await device.Device.GetAsync())!.ComplianceState;
        var heldStatus = Assert.Single(await device.Compliance.GetPolicyStatusesAsync(PolicyKind.Compliance));
        var heldOverview = await policy.GetDeviceOverviewAsync();
        fixture.Clock.Advance(PolicyDeviceStates.ErrorHoldPeriod - TimeSpan.FromMinutes(1));
        var stillHeld = (await device.Device.GetAsync())!.ComplianceState;
        fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        var after = (await device.Device.GetAsync())!.ComplianceState;
        var afterStatus = Assert.Single(await device.Compliance.GetPolicyStatusesAsync(PolicyKind.Compliance));

        Assert.Equal(ComplianceState.Compliant, before);
        Assert.Equal(PolicyDeviceState.Error, heldStatus.State);
        Assert.Equal(PolicyDeviceState.Compliant, heldStatus.HeldState);
        Assert.Equal(1, heldOverview.ErrorCount);
        Assert.Equal(ComplianceState.Compliant, held);
        Assert.Equal(ComplianceState.Compliant, stillHeld);
        Assert.Equal(ComplianceState.Noncompliant, after);
        Assert.Equal(PolicyDeviceState.NonCompliant, afterStatus.State);
        Assert.Equal(heldStatus.ErrorSince + PolicyDeviceStates.ErrorHoldPeriod, afterStatus.NoncompliantSince);
    }

    [Fact]
    public async Task RunDueDeadlinesAsync_ErrorOutlastsHold_GracePeriodStartsWhenErrorCounts()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var device = await kit.EnrollAsync(DevicePlatform.Android, osVersion: "14");
        await device.CheckInAsync(Android);
        var policy = await kit.CreateComplianceAsync("androidCompliancePolicy", new Dictionary<string, string> { ["minAndroidSecurityPatchLevel"] = "\"not a date\"" }, graceHours: 48);

        await policy.AssignAsync([new AssignmentTarget(AssignmentTargetKind.AllDevices, null)]);
        await device.CheckInAsync(Android);
        var first = Assert.Single(await device.Compliance.GetPolicyStatusesAsync(PolicyKind.Compliance));
        var pending = (await device.Device.GetAsync())!.ComplianceState;
        fixture.Clock.Advance(PolicyDeviceStates.ErrorHoldPeriod + TimeSpan.FromSeconds(1));
        var inGrace = (await device.Device.GetAsync())!.ComplianceState;
        var graceStatus = Assert.Single(await device.Compliance.GetPolicyStatusesAsync(PolicyKind.Compliance));
        fixture.Clock.Advance(TimeSpan.FromHours(48));
        var afterGrace = (await device.Device.GetAsync())!.ComplianceState;

        // No earlier state to hold: pending, which the roll-up treats as not yet evaluated.
        Assert.Equal(PolicyDeviceState.Unknown, first.HeldState);
        Assert.Equal(ComplianceState.Unknown, pending);
        Assert.Equal(ComplianceState.InGracePeriod, inGrace);
        Assert.Equal(first.ErrorSince + PolicyDeviceStates.ErrorHoldPeriod + TimeSpan.FromHours(48), graceStatus.GracePeriodExpiration);
        Assert.Equal(ComplianceState.Noncompliant, afterGrace);
    }

    [Fact]
    public async Task CheckInAsync_ErrorClears_StatusFollowsEvaluationAgain()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var device = await kit.EnrollAsync(DevicePlatform.Android, osVersion: "14");
        await device.CheckInAsync(Android);
        var policy = await kit.CreateComplianceAsync("androidCompliancePolicy", new Dictionary<string, string> { ["minAndroidSecurityPatchLevel"] = "\"bad\"" });
        await policy.AssignAsync([new AssignmentTarget(AssignmentTargetKind.AllDevices, null)]);
        await device.CheckInAsync(Android);

        await policy.UpdateAsync(new PolicyUpdate { Settings = new Dictionary<string, string?> { ["minAndroidSecurityPatchLevel"] = "\"2025-01-01\"" } });
        await device.CheckInAsync(Android);
        var status = Assert.Single(await device.Compliance.GetPolicyStatusesAsync(PolicyKind.Compliance));

        Assert.Equal(PolicyDeviceState.Compliant, status.State);
        Assert.Null(status.ErrorSince);
        Assert.Equal(ComplianceState.Compliant, (await device.Device.GetAsync())!.ComplianceState);
    }
}
