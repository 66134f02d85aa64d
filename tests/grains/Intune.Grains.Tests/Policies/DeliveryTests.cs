using Intune.Grains.Devices;
using Intune.Grains.Groups;
using Intune.Grains.Policies;

namespace Intune.Grains.Tests.Policies;

/// <summary>
/// Delivery at check-in: an assignment, an edit or a membership change is a tenant fact that each
/// device picks up at its own next check-in (additions, newer versions, removals).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DeliveryTests(ClusterFixture fixture)
{
    private static readonly DeviceFacts Facts = new() { OsVersion = "10.0.22631", PasscodeSet = true, PasscodeLength = 8 };

    private static async Task<IReadOnlyList<DevicePolicyStatus>> HeldAsync(EnrolledDevice device, IPolicyGrain policy)
    {
        var id = GrainKeys.Split(policy.GetPrimaryKeyString()).Id;
        return (await device.Compliance.GetPolicyStatusesAsync(PolicyKind.Compliance)).Where(s => s.PolicyId == id).ToList();
    }

    private async Task<(PolicyTestKit Kit, EnrolledDevice Device, IPolicyGrain Policy)> ArrangeAsync()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var device = await kit.EnrollAsync(DevicePlatform.Windows);
        await device.CheckInAsync(Facts);
        var policy = await kit.CreateComplianceAsync("windows10CompliancePolicy", new Dictionary<string, string> { ["passwordRequired"] = "true" });
        return (kit, device, policy);
    }

    [Fact]
    public async Task AssignAsync_OfflineDevice_GetsItAtItsNextCheckInNotBefore()
    {
        var (kit, device, policy) = await ArrangeAsync();
        var group = await kit.CreateGroupAsync(EnrolledDevice.AsMember(device));

        await policy.AssignAsync([PolicyTestKit.Include(group)]);
        var beforeCheckIn = await HeldAsync(device, policy);
        var pending = await policy.GetDeviceOverviewAsync();
        var result = await device.CheckInAsync(Facts);

        Assert.Empty(beforeCheckIn);
        Assert.Equal((1, 1), (pending.PendingCount, pending.Total));
        Assert.False(result.NotModified);
        Assert.Single(result.CompliancePolicies!, s => s.PolicyId == GrainKeys.Split(policy.GetPrimaryKeyString()).Id);
        Assert.Equal((1, 0), ((await policy.GetDeviceOverviewAsync()).SuccessCount, (await policy.GetDeviceOverviewAsync()).PendingCount));
    }

    [Fact]
    public async Task AddMembersAsync_ThenRemoveMember_DeviceGainsThenLosesItAndTheReportSaysSo()
    {
        var (kit, device, policy) = await ArrangeAsync();
        var group = await kit.CreateGroupAsync();
        await policy.AssignAsync([PolicyTestKit.Include(group)]);
        await device.CheckInAsync(Facts);
        var beforeJoining = await HeldAsync(device, policy);

        await group.AddMembersAsync([EnrolledDevice.AsMember(device)]);
        await device.CheckInAsync(Facts);
        var member = await HeldAsync(device, policy);
        var rowsAsMember = await policy.GetDeviceStatusesAsync();
        await group.RemoveMemberAsync(device.Id);
        await device.CheckInAsync(Facts);

        Assert.Empty(beforeJoining);
        Assert.Single(member);
        Assert.Single(rowsAsMember, r => r.DeviceId == device.Id);
        Assert.Empty(await HeldAsync(device, policy));
        Assert.DoesNotContain(await policy.GetDeviceStatusesAsync(), r => r.DeviceId == device.Id);
        Assert.Equal(0, (await policy.GetDeviceOverviewAsync()).Total);
    }

    [Fact]
    public async Task AGroupRetargeted_AfterMembersJoinedWhileNothingTargetedIt_ReachesItsNewMembers()
    {
        var (kit, device, policy) = await ArrangeAsync();
        var group = await kit.CreateGroupAsync();
        var groupId = GrainKeys.Split(group.GetPrimaryKeyString()).Id;
        await policy.AssignAsync([PolicyTestKit.Include(group)]);
        await device.CheckInAsync(Facts);
        var beforeJoining = await HeldAsync(device, policy);

        // Joins while no deliverable targets the group: nothing announces it.
        await policy.AssignAsync([]);
        var untargeted = await kit.Tenant.GetDeliverySnapshotAsync();
        await group.AddMembersAsync([EnrolledDevice.AsMember(device)]);
        await policy.AssignAsync([PolicyTestKit.Include(group)]);
        await device.CheckInAsync(Facts);

        Assert.Empty(beforeJoining);
        Assert.DoesNotContain(groupId, untargeted.GroupVersions.Keys);
        Assert.Single(await HeldAsync(device, policy));
    }

    [Fact]
    public async Task AssignAsync_DeviceExcludedLater_LosesItAtCheckIn()
    {
        var (kit, device, policy) = await ArrangeAsync();
        var included = await kit.CreateGroupAsync(EnrolledDevice.AsMember(device));
        var excluded = await kit.CreateGroupAsync(EnrolledDevice.AsMember(device));
        await policy.AssignAsync([PolicyTestKit.Include(included)]);
        await device.CheckInAsync(Facts);
        var held = await HeldAsync(device, policy);

        await policy.AssignAsync([PolicyTestKit.Include(included), PolicyTestKit.Exclude(excluded)]);
        await device.CheckInAsync(Facts);

        Assert.Single(held);
        Assert.Empty(await HeldAsync(device, policy));
        Assert.Empty(await policy.GetDeviceStatusesAsync());
    }

    [Fact]
    public async Task UpdateAsync_TwiceWhileOffline_DeliveredOnceAtTheLatestVersion()
    {
        var (kit, device, policy) = await ArrangeAsync();
        await policy.AssignAsync([new AssignmentTarget(AssignmentTargetKind.AllDevices, null)]);
        var first = await device.CheckInAsync(Facts);

        await policy.UpdateAsync(new PolicyUpdate { DisplayName = "second" });
        await policy.UpdateAsync(new PolicyUpdate { DisplayName = "third" });
        var afterEdits = await device.CheckInAsync(Facts, first.AssignmentEtag);
        var again = await device.CheckInAsync(Facts, afterEdits.AssignmentEtag);

        var status = Assert.Single(await HeldAsync(device, policy));
        Assert.Equal((3, "third"), (status.Version, status.DisplayName));
        Assert.False(afterEdits.NotModified);
        Assert.True(again.NotModified);
    }

    [Fact]
    public async Task DeleteAsync_AssignedPolicy_DeviceDropsItAtCheckIn()
    {
        var (_, device, policy) = await ArrangeAsync();
        await policy.AssignAsync([new AssignmentTarget(AssignmentTargetKind.AllDevices, null)]);
        await device.CheckInAsync(Facts);
        var held = await HeldAsync(device, policy);

        await policy.DeleteAsync();
        await device.CheckInAsync(Facts);

        Assert.Single(held);
        Assert.Empty(await HeldAsync(device, policy));
    }

    [Fact]
    public async Task UpdateSettingsAsync_SecureByDefault_DeviceTakesItAtCheckIn()
    {
        var (kit, device, _) = await ArrangeAsync();
        var compliant = await device.CheckInAsync(Facts);

        await kit.Tenant.UpdateSettingsAsync(null, secureByDefault: true, null);
        var after = await device.CheckInAsync(Facts);

        Assert.Equal(ComplianceState.Compliant, compliant.ComplianceState);
        Assert.Equal(ComplianceState.Noncompliant, after.ComplianceState);
    }
}
