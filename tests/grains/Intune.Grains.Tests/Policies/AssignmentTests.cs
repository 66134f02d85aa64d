using Intune.Grains.Devices;
using Intune.Grains.Errors;
using Intune.Grains.Groups;
using Intune.Grains.Policies;

namespace Intune.Grains.Tests.Policies;

[Collection(ClusterCollection.Name)]
public sealed class AssignmentTests(ClusterFixture fixture)
{
    private static readonly DeviceFacts Facts = new() { OsVersion = "10.0.22631", PasscodeSet = true, PasscodeLength = 8 };

    private static GroupMember User(string upn) => new(GroupMemberKind.User, upn);

    private static async Task<bool> HasPolicyAsync(EnrolledDevice device, IPolicyGrain policy)
    {
        var id = GrainKeys.Split(policy.GetPrimaryKeyString()).Id;
        return (await device.Compliance.GetPolicyStatusesAsync(PolicyKind.Compliance)).Any(s => s.PolicyId == id);
    }

    private async Task<(PolicyTestKit Kit, IPolicyGrain Policy)> ArrangeAsync()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var policy = await kit.CreateComplianceAsync("windows10CompliancePolicy", new Dictionary<string, string> { ["passwordRequired"] = "true" });
        return (kit, policy);
    }

    /// <summary>Include/exclude precedence: exclusion wins within the same group kind only (docs/architecture.md §9).</summary>
    [Theory]
    // device included, device excluded → excluded
    [InlineData("device", "device", false)]
    // user included, user excluded → excluded
    [InlineData("user", "user", false)]
    // device included, user excluded → mixed kinds: the device inclusion stands
    [InlineData("device", "user", true)]
    // user included, device excluded → mixed kinds: the user inclusion stands
    [InlineData("user", "device", true)]
    // all devices, device excluded → excluded
    [InlineData("allDevices", "device", false)]
    // all licensed users, user excluded → excluded
    [InlineData("allUsers", "user", false)]
    // all licensed users, device excluded → included
    [InlineData("allUsers", "device", true)]
    public async Task AssignAsync_IncludeAndExclude_ExclusionWinsOnlyWithinSameKind(string include, string exclude, bool expected)
    {
        var (kit, policy) = await ArrangeAsync();
        var upn = $"{Guid.NewGuid():N}@contoso.example";
        var device = await kit.EnrollAsync(DevicePlatform.Windows, upn);
        await device.CheckInAsync(Facts);
        GroupMember Member(string kind) => kind == "device" ? EnrolledDevice.AsMember(device) : User(upn);
        var targets = new List<AssignmentTarget>();
        targets.Add(include switch
        {
            "allDevices" => new AssignmentTarget(AssignmentTargetKind.AllDevices, null),
            "allUsers" => new AssignmentTarget(AssignmentTargetKind.AllLicensedUsers, null),
            _ => PolicyTestKit.Include(await kit.CreateGroupAsync(Member(include))),
        });
        targets.Add(PolicyTestKit.Exclude(await kit.CreateGroupAsync(Member(exclude))));

        await policy.AssignAsync(targets);
        await device.CheckInAsync(Facts);

        Assert.Equal(expected, await HasPolicyAsync(device, policy));
        Assert.Equal(expected ? 1 : 0, (await policy.GetDeviceStatusesAsync()).Count);
    }

    [Fact]
    public async Task AddMembersAsync_AfterAssignment_DeliversAndRemovalRetracts()
    {
        var (kit, policy) = await ArrangeAsync();
        var device = await kit.EnrollAsync(DevicePlatform.Windows);
        await device.CheckInAsync(Facts);
        var group = await kit.CreateGroupAsync();
        await policy.AssignAsync([PolicyTestKit.Include(group)]);
        var before = await HasPolicyAsync(device, policy);

        await group.AddMembersAsync([EnrolledDevice.AsMember(device)]);
        await device.CheckInAsync(Facts);
        var added = await HasPolicyAsync(device, policy);
        await group.RemoveMemberAsync(device.Id);
        await device.CheckInAsync(Facts);
        var removed = await HasPolicyAsync(device, policy);

        Assert.False(before);
        Assert.True(added);
        Assert.False(removed);
        Assert.Equal(0, (await policy.GetDeviceOverviewAsync()).Total);
    }

    [Fact]
    public async Task AssignAsync_ReplacesAllAssignments()
    {
        var (kit, policy) = await ArrangeAsync();
        var device = await kit.EnrollAsync(DevicePlatform.Windows);
        await device.CheckInAsync(Facts);
        await policy.AssignAsync([new AssignmentTarget(AssignmentTargetKind.AllDevices, null)]);
        var group = await kit.CreateGroupAsync();

        var assignments = await policy.AssignAsync([PolicyTestKit.Include(group)]);
        await device.CheckInAsync(Facts);

        Assert.Equal(AssignmentTargetKind.Group, Assert.Single(assignments).Target.Kind);
        Assert.False(await HasPolicyAsync(device, policy));
    }

    [Fact]
    public async Task FirstCheckIn_DeviceEnrolledAfterAssignment_GetsUserGroupPolicy()
    {
        var (kit, policy) = await ArrangeAsync();
        var upn = $"{Guid.NewGuid():N}@contoso.example";
        await policy.AssignAsync([PolicyTestKit.Include(await kit.CreateGroupAsync(User(upn)))]);
        var device = await kit.EnrollAsync(DevicePlatform.Windows, upn.ToUpperInvariant());

        var result = await device.CheckInAsync(Facts with { PasscodeSet = false });

        Assert.Equal(ComplianceState.Noncompliant, result.ComplianceState);
        Assert.Single(result.CompliancePolicies);
    }

    [Fact]
    public async Task AssignAsync_UnknownGroup_IsNotFound()
    {
        var (_, policy) = await ArrangeAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => policy.AssignAsync([new AssignmentTarget(AssignmentTargetKind.Group, Guid.NewGuid().ToString())]));
    }

    [Fact]
    public async Task Validity_NoCheckInForThresholdDays_TurnsNoncompliantWithoutCheckIn()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        await kit.Tenant.UpdateSettingsAsync(thresholdDays: 2, secureByDefault: null, isScheduledActionEnabled: null);
        var device = await kit.EnrollAsync(DevicePlatform.Windows);
        await device.CheckInAsync(Facts);
        var fresh = (await device.Device.GetAsync())!.ComplianceState;

        ClusterFixture.Time.Advance(TimeSpan.FromDays(2) + TimeSpan.FromMinutes(1));
        var stale = (await device.Device.GetAsync())!.ComplianceState;
        var summary = await kit.Summary.GetAsync(PolicyKind.Compliance);

        Assert.Equal(ComplianceState.Compliant, fresh);
        Assert.Equal(ComplianceState.Noncompliant, stale);
        Assert.Equal((0, 1), (summary.CompliantDeviceCount, summary.NonCompliantDeviceCount));
        Assert.False((await device.Compliance.GetAccessVerdictAsync())!.IsCompliant);
    }

    [Fact]
    public async Task SecureByDefault_DeviceWithoutPolicy_IsNoncompliant()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var device = await kit.EnrollAsync(DevicePlatform.Windows);
        var before = await device.CheckInAsync(Facts);

        await kit.Tenant.UpdateSettingsAsync(thresholdDays: null, secureByDefault: true, isScheduledActionEnabled: null);
        var after = (await device.CheckInAsync(Facts)).ComplianceState;

        Assert.Equal(ComplianceState.Compliant, before.ComplianceState);
        Assert.Equal(ComplianceState.Noncompliant, after);
    }

    [Fact]
    public async Task UpdateSettingsAsync_ThresholdOutOfRange_IsRefused()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();

        await Assert.ThrowsAsync<InvalidRequestException>(() => kit.Tenant.UpdateSettingsAsync(0, null, null));
        await Assert.ThrowsAsync<InvalidRequestException>(() => kit.Tenant.UpdateSettingsAsync(121, null, null));
    }

    [Fact]
    public async Task CheckInAsync_Unchanged_AfterAssignment_IsNotModifiedAndKeepsCounts()
    {
        var (kit, policy) = await ArrangeAsync();
        var device = await kit.EnrollAsync(DevicePlatform.Windows);
        await policy.AssignAsync([PolicyTestKit.Include(await kit.CreateGroupAsync(EnrolledDevice.AsMember(device)))]);
        var pending = await policy.GetDeviceOverviewAsync();
        var first = await device.CheckInAsync(Facts);

        var second = await device.CheckInAsync(Facts, first.AssignmentEtag);
        var overview = await policy.GetDeviceOverviewAsync();

        Assert.Equal(1, pending.PendingCount);
        Assert.True(second.NotModified);
        Assert.Equal((1, 0, 1), (overview.SuccessCount, overview.PendingCount, overview.Total));
    }

    [Fact]
    public async Task RemoveFromComplianceAsync_DeviceLeaves_ReportsAndSummaryForgetIt()
    {
        var (kit, policy) = await ArrangeAsync();
        var device = await kit.EnrollAsync(DevicePlatform.Windows);
        await device.CheckInAsync(Facts);
        await policy.AssignAsync([new AssignmentTarget(AssignmentTargetKind.AllDevices, null)]);
        await device.CheckInAsync(Facts);

        await device.Compliance.RemoveFromComplianceAsync();
        var overview = await policy.GetDeviceOverviewAsync();
        var summary = await kit.Summary.GetAsync(PolicyKind.Compliance);

        Assert.Equal(0, overview.Total);
        Assert.Equal(0, summary.CompliantDeviceCount + summary.NonCompliantDeviceCount + summary.UnknownDeviceCount);
    }
}
