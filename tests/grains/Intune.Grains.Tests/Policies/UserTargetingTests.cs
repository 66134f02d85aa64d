using Intune.Grains.Devices;
using Intune.Grains.Groups;
using Intune.Grains.Policies;
using Intune.Grains.Users;

namespace Intune.Grains.Tests.Policies;

/// <summary>A user group's devices come from the users' own grains, not from a scan of the device catalog.</summary>
[Collection(ClusterCollection.Name)]
public sealed class UserTargetingTests(ClusterFixture fixture)
{
    private static readonly DeviceFacts Facts = new() { OsVersion = "10.0.22631", PasscodeSet = true, PasscodeLength = 8 };

    [Fact]
    public async Task AssignAsync_UserGroup_ReachesEveryDeviceOfTheUsersOnly()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var laptop = await kit.EnrollAsync(DevicePlatform.Windows, "Alex@Contoso.example");
        var desktop = await kit.EnrollAsync(DevicePlatform.Windows, "alex@contoso.example");
        var phone = await kit.EnrollAsync(DevicePlatform.IOS, "lee@contoso.example", osVersion: "18.1");
        var stranger = await kit.EnrollAsync(DevicePlatform.Windows, "sam@contoso.example");
        var excluded = await kit.EnrollAsync(DevicePlatform.Windows, "kim@contoso.example");
        foreach (var d in new[] { laptop, desktop, stranger, excluded })
        {
            await d.CheckInAsync(Facts);
        }

        await phone.CheckInAsync(new DeviceFacts { OsVersion = "18.1" });
        var users = await kit.CreateGroupAsync(User("alex@contoso.example"), User("lee@contoso.example"), User("kim@contoso.example"));
        var exclusions = await kit.CreateGroupAsync(User("KIM@contoso.example"));
        var policy = await kit.CreateComplianceAsync("windows10CompliancePolicy", new Dictionary<string, string> { ["passwordRequired"] = "true" });

        await policy.AssignAsync([PolicyTestKit.Include(users), PolicyTestKit.Exclude(exclusions)]);
        await CheckInAllAsync(laptop, desktop, stranger, excluded);
        await phone.CheckInAsync(new DeviceFacts { OsVersion = "18.1" });
        var reached = await Task.WhenAll(new[] { laptop, desktop, phone, stranger, excluded }.Select(d => HasPolicyAsync(d, policy)));
        var overview = await policy.GetDeviceOverviewAsync();
        await users.RemoveMemberAsync("alex@contoso.example");
        await CheckInAllAsync(laptop, desktop);
        await phone.CheckInAsync(new DeviceFacts { OsVersion = "18.1" });
        var afterRemoval = await Task.WhenAll(new[] { laptop, desktop, phone }.Select(d => HasPolicyAsync(d, policy)));

        Assert.Equal([true, true, true, false, false], reached);
        Assert.Equal((3, 1), (overview.Total, overview.NotApplicableCount));
        Assert.Equal([false, false, true], afterRemoval);
        Assert.Single(await policy.GetDeviceStatusesAsync());
    }

    [Fact]
    public async Task AssignAsync_UserGroup_ReachesSharedDevicesThroughTheirAssociatedUsers()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        // Enrolled without a user (a kiosk), and one enrolled by Sam then shared with Pat: the User grain tells the devices.
        var kiosk = await kit.EnrollAsync(DevicePlatform.Windows, upn: null);
        var shared = await kit.EnrollAsync(DevicePlatform.Windows, "sam@contoso.example");
        await CheckInAllAsync(kiosk, shared);
        var pat = fixture.Grains.GetGrain<IUserGrain>(UserDevices.Key(kit.TenantId, "Pat@contoso.example"));
        await pat.AssociateDeviceAsync(kiosk.Id);
        await pat.AssociateDeviceAsync(shared.Id);
        var group = await kit.CreateGroupAsync(User("pat@contoso.example"));
        var policy = await kit.CreateComplianceAsync("windows10CompliancePolicy", new Dictionary<string, string> { ["passwordRequired"] = "true" });

        await policy.AssignAsync([PolicyTestKit.Include(group)]);
        await CheckInAllAsync(kiosk, shared);
        var whileShared = await Task.WhenAll(new[] { kiosk, shared }.Select(d => HasPolicyAsync(d, policy)));
        await pat.DissociateDeviceAsync(shared.Id);
        await CheckInAllAsync(kiosk, shared);
        var afterDissociation = await Task.WhenAll(new[] { kiosk, shared }.Select(d => HasPolicyAsync(d, policy)));

        Assert.Equal([true, true], whileShared);
        Assert.Equal([true, false], afterDissociation);
        Assert.Equal([kiosk.Id], await pat.GetDeviceIdsAsync());
    }

    [Fact]
    public async Task EnrollAsync_WithUser_RecordsDeviceWithTheUser()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();

        var device = await kit.EnrollAsync(DevicePlatform.Windows, "Robin@Contoso.example");

        Assert.Equal([device.Id], await fixture.Grains.GetGrain<IUserGrain>(UserDevices.Key(kit.TenantId, "robin@contoso.example")).GetDeviceIdsAsync());
    }

    private static GroupMember User(string upn) => new(GroupMemberKind.User, upn);

    private static async Task CheckInAllAsync(params EnrolledDevice[] devices)
    {
        foreach (var device in devices)
        {
            await device.CheckInAsync(Facts);
        }
    }

    private static async Task<bool> HasPolicyAsync(EnrolledDevice device, IPolicyGrain policy)
    {
        var id = GrainKeys.Split(policy.GetPrimaryKeyString()).Id;
        return (await device.Compliance.GetPolicyStatusesAsync(PolicyKind.Compliance)).Any(s => s.PolicyId == id);
    }
}
