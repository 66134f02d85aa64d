using Intune.Grains.Devices;
using Intune.Grains.Policies;

namespace Intune.Grains.Tests.Policies;

/// <summary>Graph's <c>remediated</c>: compliant again after failing at the same policy version.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RemediatedStatusTests(ClusterFixture fixture)
{
    private static readonly DeviceFacts Windows = new() { OsVersion = "10.0.22631", BitLockerEnabled = true };

    [Fact]
    public async Task CheckInAsync_NoncompliantDeviceFixesSetting_RemediatedAndCounted()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var device = await kit.EnrollAsync(DevicePlatform.Windows);
        var fine = await kit.EnrollAsync(DevicePlatform.Windows);
        await device.CheckInAsync(Windows with { BitLockerEnabled = false });
        await fine.CheckInAsync(Windows);
        var policy = await kit.CreateComplianceAsync("windows10CompliancePolicy", new Dictionary<string, string> { ["bitLockerEnabled"] = "true" });
        await policy.AssignAsync([new AssignmentTarget(AssignmentTargetKind.AllDevices, null)]);
        await device.CheckInAsync(Windows with { BitLockerEnabled = false });
        await fine.CheckInAsync(Windows);
        var failing = Assert.Single(await device.Compliance.GetPolicyStatusesAsync(PolicyKind.Compliance));

        var result = await device.CheckInAsync(Windows);
        var status = Assert.Single(await device.Compliance.GetPolicyStatusesAsync(PolicyKind.Compliance));
        var row = Assert.Single(await policy.GetDeviceStatusesAsync(), r => r.DeviceId == device.Id);
        var overview = await policy.GetDeviceOverviewAsync();
        var users = await policy.GetUserOverviewAsync();
        var summary = await kit.Summary.GetAsync(PolicyKind.Compliance);
        await device.CheckInAsync(Windows with { Model = "still fixed" });
        var stillRemediated = Assert.Single(await device.Compliance.GetPolicyStatusesAsync(PolicyKind.Compliance));

        Assert.Equal(PolicyDeviceState.NonCompliant, failing.State);
        Assert.Equal(ComplianceState.Compliant, result.ComplianceState);
        Assert.Equal(PolicyDeviceState.Remediated, status.State);
        Assert.Equal(PolicyDeviceState.Remediated, row.State);
        Assert.Equal((2, 0, 2), (overview.SuccessCount, overview.FailedCount, overview.Total));
        // Both devices belong to the same user: remediated ranks with compliant, so the user succeeded.
        Assert.Equal((1, 1), (users.SuccessCount, users.Total));
        Assert.Equal((1, 1, 0), (summary.RemediatedDeviceCount, summary.CompliantDeviceCount, summary.NonCompliantDeviceCount));
        Assert.Equal(PolicyDeviceState.Remediated, stillRemediated.State);
    }

    [Fact]
    public async Task UpdateAsync_NewVersionPasses_CompliantNotRemediated()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var device = await kit.EnrollAsync(DevicePlatform.Windows);
        await device.CheckInAsync(Windows with { BitLockerEnabled = false });
        var policy = await kit.CreateComplianceAsync("windows10CompliancePolicy", new Dictionary<string, string> { ["bitLockerEnabled"] = "true" });
        await policy.AssignAsync([new AssignmentTarget(AssignmentTargetKind.AllDevices, null)]);

        // The admin loosened the policy: the device did not fix anything.
        await policy.UpdateAsync(new PolicyUpdate { Settings = new Dictionary<string, string?> { ["bitLockerEnabled"] = null, ["osMinimumVersion"] = "\"10.0\"" } });
        await device.CheckInAsync(Windows with { BitLockerEnabled = false });
        var status = Assert.Single(await device.Compliance.GetPolicyStatusesAsync(PolicyKind.Compliance));
        var summary = await kit.Summary.GetAsync(PolicyKind.Compliance);

        Assert.Equal(PolicyDeviceState.Compliant, status.State);
        Assert.Equal((0, 1), (summary.RemediatedDeviceCount, summary.CompliantDeviceCount));
    }

    [Fact]
    public async Task CheckInAsync_ConfigurationSettingErrorThenSucceeds_ProfileRemediated()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var device = await kit.EnrollAsync(DevicePlatform.Windows);
        await device.CheckInAsync(Windows);
        var profile = await kit.CreateConfigurationAsync("windows10GeneralConfiguration", new Dictionary<string, string> { ["cameraBlocked"] = "true" });
        await profile.AssignAsync([new AssignmentTarget(AssignmentTargetKind.AllDevices, null)]);
        var profileId = GrainKeys.Split(profile.GetPrimaryKeyString()).Id;

        await device.CheckInAsync(Windows, reports: [new SettingReport(profileId, "cameraBlocked", Succeeded: false, "Camera policy refused")]);
        var failed = Assert.Single(await device.Compliance.GetPolicyStatusesAsync(PolicyKind.Configuration));
        await device.CheckInAsync(Windows, reports: [new SettingReport(profileId, "cameraBlocked", Succeeded: true, null)]);
        var fixedStatus = Assert.Single(await device.Compliance.GetPolicyStatusesAsync(PolicyKind.Configuration));
        var overview = await profile.GetDeviceOverviewAsync();
        var summary = await kit.Summary.GetAsync(PolicyKind.Configuration);

        Assert.Equal(PolicyDeviceState.Error, failed.State);
        Assert.Equal(PolicyDeviceState.Remediated, fixedStatus.State);
        Assert.Equal((1, 0), (overview.SuccessCount, overview.ErrorCount));
        Assert.Equal((1, 0, 0), (summary.RemediatedDeviceCount, summary.CompliantDeviceCount, summary.ErrorDeviceCount));
    }
}
