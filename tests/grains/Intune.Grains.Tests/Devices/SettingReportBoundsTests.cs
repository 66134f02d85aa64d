using Intune.Grains.Devices;
using Intune.Grains.Policies;
using Intune.Grains.Tests.Durability;
using Intune.Grains.Tests.Policies;

namespace Intune.Grains.Tests.Devices;

/// <summary>
/// What a device reports cannot grow its stored state past the profiles assigned to it: results
/// for settings or profiles it does not hold are not kept, and those of a profile it no longer
/// holds are dropped at its next report (the state is one storage entity of at most 1 MB).
/// </summary>
public sealed class SettingReportBoundsTests(WriteFirstTests.FailingStorageCluster fixture) : IClassFixture<WriteFirstTests.FailingStorageCluster>
{
    private static readonly DeviceFacts Windows = new() { OsVersion = "10.0.22631" };

    [Fact]
    public async Task Reports_ForSettingsOrProfilesTheDeviceDoesNotHold_AreNotStored()
    {
        var kit = new PolicyTestKit(fixture.Cluster.GrainFactory);
        await kit.CreateTenantAsync();
        var device = await kit.EnrollAsync(DevicePlatform.Windows);
        await device.CheckInAsync(Windows);
        var profile = await kit.CreateConfigurationAsync("windows10GeneralConfiguration", new Dictionary<string, string> { ["cameraBlocked"] = "true" });
        await profile.AssignAsync([new AssignmentTarget(AssignmentTargetKind.AllDevices, null)]);
        var profileId = GrainKeys.Split(profile.GetPrimaryKeyString()).Id;
        await device.CheckInAsync(Windows);

        var bogus = Enumerable.Range(0, 500).Select(i => new SettingReport(Guid.NewGuid().ToString(), $"setting{i}", true, null))
            .Concat(Enumerable.Range(0, 500).Select(i => new SettingReport(profileId, $"notInTheProfile{i}", false, "no")))
            .Append(new SettingReport(profileId, "cameraBlocked", Succeeded: false, "Camera policy refused"))
            .ToList();
        await device.CheckInAsync(Windows, reports: bogus);
        var stored = Stored(device);
        var status = Assert.Single(await device.Compliance.GetPolicyStatusesAsync(PolicyKind.Configuration));

        Assert.Equal([$"{profileId}/cameraBlocked"], stored.SettingReports.Keys);
        Assert.Equal(PolicyDeviceState.Error, status.State);
    }

    [Fact]
    public async Task Reports_OfAProfileNoLongerAssigned_AreDroppedAtTheNextReport()
    {
        var kit = new PolicyTestKit(fixture.Cluster.GrainFactory);
        await kit.CreateTenantAsync();
        var device = await kit.EnrollAsync(DevicePlatform.Windows);
        await device.CheckInAsync(Windows);
        var kept = await kit.CreateConfigurationAsync("windows10GeneralConfiguration", new Dictionary<string, string> { ["cameraBlocked"] = "true" });
        var removed = await kit.CreateConfigurationAsync("windows10GeneralConfiguration", new Dictionary<string, string> { ["bluetoothBlocked"] = "true" });
        await kept.AssignAsync([new AssignmentTarget(AssignmentTargetKind.AllDevices, null)]);
        await removed.AssignAsync([new AssignmentTarget(AssignmentTargetKind.AllDevices, null)]);
        var keptId = GrainKeys.Split(kept.GetPrimaryKeyString()).Id;
        var removedId = GrainKeys.Split(removed.GetPrimaryKeyString()).Id;
        await device.CheckInAsync(Windows);
        await device.CheckInAsync(Windows, reports: [new SettingReport(keptId, "cameraBlocked", true, null), new SettingReport(removedId, "bluetoothBlocked", true, null)]);
        var before = Stored(device).SettingReports.Keys.Order().ToList();

        await removed.AssignAsync([]);
        await device.CheckInAsync(Windows, reports: [new SettingReport(keptId, "cameraBlocked", true, null)]);

        Assert.Equal(new[] { $"{keptId}/cameraBlocked", $"{removedId}/bluetoothBlocked" }.Order(), before);
        Assert.Equal([$"{keptId}/cameraBlocked"], Stored(device).SettingReports.Keys);
    }

    private DeviceState Stored(EnrolledDevice device) =>
        fixture.Storage.Stored<DeviceState>("device", device.Device.GetGrainId())
            ?? throw new InvalidOperationException("The device has no stored state.");
}
