using Intune.Grains.Devices;
using Intune.Grains.Errors;
using Intune.Grains.Groups;
using Intune.Grains.Policies;

namespace Intune.Grains.Tests.Policies;

[Collection(ClusterCollection.Name)]
public sealed class CompliancePolicyTests(ClusterFixture fixture)
{
    private static readonly DeviceFacts GoodWindows = new()
    {
        OsVersion = "10.0.22631",
        PasscodeSet = true,
        PasscodeLength = 12,
        BitLockerEnabled = true,
        SecureBootEnabled = true,
        StorageEncrypted = true,
    };

    [Fact]
    public async Task AssignAsync_GroupOfDevices_EvaluatesEachDeviceAndCountsStatuses()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var good = await kit.EnrollAsync(DevicePlatform.Windows);
        var bad = await kit.EnrollAsync(DevicePlatform.Windows);
        var phone = await kit.EnrollAsync(DevicePlatform.IOS, osVersion: "18.1");
        await good.CheckInAsync(GoodWindows);
        await bad.CheckInAsync(GoodWindows with { BitLockerEnabled = false });
        await phone.CheckInAsync(new DeviceFacts { OsVersion = "18.1", PasscodeSet = true });
        var group = await kit.CreateGroupAsync(EnrolledDevice.AsMember(good), EnrolledDevice.AsMember(bad), EnrolledDevice.AsMember(phone));
        var policy = await kit.CreateComplianceAsync("windows10CompliancePolicy", new Dictionary<string, string> { ["bitLockerEnabled"] = "true", ["passwordMinimumLength"] = "8" });

        await policy.AssignAsync([PolicyTestKit.Include(group)]);
        await good.CheckInAsync(GoodWindows);
        await bad.CheckInAsync(GoodWindows with { BitLockerEnabled = false });
        await phone.CheckInAsync(new DeviceFacts { OsVersion = "18.1", PasscodeSet = true });

        Assert.Equal(ComplianceState.Compliant, (await good.Device.GetAsync())!.ComplianceState);
        Assert.Equal(ComplianceState.Noncompliant, (await bad.Device.GetAsync())!.ComplianceState);
        // Wrong platform: notApplicable, and with no other policy the default (compliant) applies.
        Assert.Equal(ComplianceState.Compliant, (await phone.Device.GetAsync())!.ComplianceState);
        var overview = await policy.GetDeviceOverviewAsync();
        Assert.Equal((1, 1, 1, 0), (overview.SuccessCount, overview.FailedCount, overview.NotApplicableCount, overview.PendingCount));
        var badStatus = Assert.Single(await bad.Compliance.GetPolicyStatusesAsync(PolicyKind.Compliance));
        var bitLocker = Assert.Single(badStatus.Settings, s => s.Setting == "bitLockerEnabled");
        Assert.Equal(PolicyDeviceState.NonCompliant, bitLocker.State);
        Assert.Equal(PolicyDeviceState.Compliant, Assert.Single(badStatus.Settings, s => s.Setting == "passwordMinimumLength").State);
    }

    [Fact]
    public async Task AssignAsync_NewEtag_DeliversPolicyAtNextCheckIn()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var device = await kit.EnrollAsync(DevicePlatform.Windows);
        var first = await device.CheckInAsync(GoodWindows);
        var policy = await kit.CreateComplianceAsync("windows10CompliancePolicy", new Dictionary<string, string> { ["secureBootEnabled"] = "true" });

        await policy.AssignAsync([new AssignmentTarget(AssignmentTargetKind.AllDevices, null)]);
        var second = await device.CheckInAsync(GoodWindows, first.AssignmentEtag);
        var third = await device.CheckInAsync(GoodWindows, second.AssignmentEtag);

        Assert.False(second.NotModified);
        Assert.NotEqual(first.AssignmentEtag, second.AssignmentEtag);
        Assert.Single(second.CompliancePolicies);
        Assert.True(third.NotModified);
        Assert.Empty(third.CompliancePolicies);
    }

    [Fact]
    public async Task CreateAsync_WithoutBlockAction_IsRefused()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => kit.Policy("p1").CreateAsync(new PolicyDefinition
        {
            Id = "p1",
            Kind = PolicyKind.Compliance,
            ODataType = "iosCompliancePolicy",
            DisplayName = "No block",
            ScheduledActions = [new ScheduledActionRule("r", [new ComplianceActionItem(ComplianceActionType.Notification, 0, null, [])])],
        }));

        Assert.Equal("Compliance policy must have one and only one block scheduled action", error.Message);
    }

    [Fact]
    public async Task GraceExpiry_WithoutCheckIn_TurnsNoncompliantAndFiresActions()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var device = await kit.EnrollAsync(DevicePlatform.Windows);
        await device.CheckInAsync(GoodWindows with { BitLockerEnabled = false });
        var policy = await kit.CreateComplianceAsync(
            "windows10CompliancePolicy",
            new Dictionary<string, string> { ["bitLockerEnabled"] = "true" },
            graceHours: 24,
            new ComplianceActionItem(ComplianceActionType.Notification, 0, "template-1", ["it@contoso.example"]),
            new ComplianceActionItem(ComplianceActionType.Retire, 48, null, []));

        await policy.AssignAsync([new AssignmentTarget(AssignmentTargetKind.AllDevices, null)]);
        await device.CheckInAsync(GoodWindows with { BitLockerEnabled = false });
        var inGrace = (await device.Device.GetAsync())!.ComplianceState;
        var notification = Assert.Single(await device.Compliance.GetNotificationsAsync());
        ClusterFixture.Time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        var afterGrace = (await device.Device.GetAsync())!.ComplianceState;
        var retiresBefore = await kit.Tenant.ListRetireRequestsAsync();
        ClusterFixture.Time.Advance(TimeSpan.FromHours(24));
        await device.Device.GetAsync();
        var retire = Assert.Single(await kit.Tenant.ListRetireRequestsAsync());

        Assert.Equal(ComplianceState.InGracePeriod, inGrace);
        Assert.Equal("template-1", notification.NotificationTemplateId);
        Assert.Equal(ComplianceState.Noncompliant, afterGrace);
        Assert.Empty(retiresBefore);
        Assert.Equal(device.Id, retire.DeviceId);
        Assert.True(await kit.Tenant.DecideRetireAsync(device.Id, confirm: true));
    }
}
