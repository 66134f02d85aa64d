using Intune.Grains.Devices;
using Intune.Grains.Groups;
using Intune.Grains.Tenants;

namespace Intune.Grains.Tests.Tenants;

/// <summary>Enrollment restrictions assigned to groups apply to the users in those groups (highest priority first, else the default).</summary>
[Collection(ClusterCollection.Name)]
public sealed class EnrollmentRestrictionGroupTests(ClusterFixture fixture)
{
    private const string Adele = "adele@contoso.example";

    [Fact]
    public async Task EnrollAsync_UserInRestrictedGroup_HighestPriorityMatchingRestrictionApplies()
    {
        var (tenant, tenantId) = await TenantAsync();
        var adeles = await GroupAsync(tenantId, Adele);
        var others = await GroupAsync(tenantId, "someone@contoso.example");
        // Priority 1 blocks Windows but targets a group Adele is not in; priority 2 targets Adele's group and blocks macOS.
        await RestrictionAsync(tenant, others, new EnrollmentConfiguration { Id = "new", Kind = EnrollmentConfigurationKind.PlatformRestrictions, DisplayName = "No Windows", WindowsRestriction = new PlatformRestriction(PlatformBlocked: true) });
        await RestrictionAsync(tenant, adeles, new EnrollmentConfiguration { Id = "new", Kind = EnrollmentConfigurationKind.PlatformRestrictions, DisplayName = "No Macs", MacOSRestriction = new PlatformRestriction(PlatformBlocked: true) });

        var windows = await EnrollAsync(tenant, DevicePlatform.Windows, Adele);
        var mac = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => EnrollAsync(tenant, DevicePlatform.MacOS, Adele));
        var outsider = await EnrollAsync(tenant, DevicePlatform.MacOS, "megan@contoso.example");
        var blockedWindows = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => EnrollAsync(tenant, DevicePlatform.Windows, "someone@contoso.example"));

        await AssertEnrolledAsync(windows, DevicePlatform.Windows);
        Assert.Equal(EnrollmentRefusal.PlatformBlocked, mac.Reason);
        await AssertEnrolledAsync(outsider, DevicePlatform.MacOS);
        Assert.Equal(EnrollmentRefusal.PlatformBlocked, blockedWindows.Reason);
    }

    [Fact]
    public async Task EnrollAsync_GroupDeviceLimit_AppliesToMembersAndExclusionWins()
    {
        var (tenant, tenantId) = await TenantAsync();
        var members = await GroupAsync(tenantId, Adele, "lee@contoso.example");
        var excluded = await GroupAsync(tenantId, "lee@contoso.example");
        var created = await tenant.CreateEnrollmentConfigurationAsync(new EnrollmentConfiguration { Id = "new", Kind = EnrollmentConfigurationKind.Limit, DisplayName = "One each", Limit = 1 });
        await tenant.AssignEnrollmentConfigurationAsync(created.Id,
        [
            new EnrollmentAssignmentTarget("#microsoft.graph.groupAssignmentTarget", members),
            new EnrollmentAssignmentTarget("#microsoft.graph.exclusionGroupAssignmentTarget", excluded),
        ]);

        await EnrollAsync(tenant, DevicePlatform.Windows, Adele);
        var second = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => EnrollAsync(tenant, DevicePlatform.Windows, Adele));
        await EnrollAsync(tenant, DevicePlatform.Windows, "lee@contoso.example");
        // Lee is excluded: the default limit (5) applies.
        var leesSecond = await EnrollAsync(tenant, DevicePlatform.Windows, "lee@contoso.example");

        Assert.Equal(EnrollmentRefusal.DeviceLimitReached, second.Reason);
        await AssertEnrolledAsync(leesSecond, DevicePlatform.Windows);
    }

    private async Task<(ITenantGrain Tenant, string TenantId)> TenantAsync()
    {
        var tenantId = Guid.NewGuid().ToString();
        var tenant = fixture.Grains.GetGrain<ITenantGrain>(tenantId);
        await tenant.CreateAsync("Contoso", "na");
        return (tenant, tenantId);
    }

    private async Task<string> GroupAsync(string tenantId, params string[] users)
    {
        var groupId = Guid.NewGuid().ToString();
        var group = fixture.Grains.GetGrain<IGroupGrain>(GrainKeys.Scoped(tenantId, groupId));
        await group.CreateAsync("Enrollment group", null);
        await group.AddMembersAsync(users.Select(u => new GroupMember(GroupMemberKind.User, u)).ToList());
        return groupId;
    }

    private static async Task RestrictionAsync(ITenantGrain tenant, string groupId, EnrollmentConfiguration draft)
    {
        var created = await tenant.CreateEnrollmentConfigurationAsync(draft);
        await tenant.AssignEnrollmentConfigurationAsync(created.Id, [new EnrollmentAssignmentTarget("#microsoft.graph.groupAssignmentTarget", groupId)]);
    }

    /// <summary>The admitted enrollment left a device record of its tenant and platform behind.</summary>
    private async Task AssertEnrolledAsync(DeviceEnrollmentResult result, DevicePlatform platform)
    {
        var view = await fixture.Grains.GetGrain<IDeviceGrain>(GrainKeys.Scoped(result.TenantId, result.DeviceId)).GetAsync();
        Assert.Equal((result.DeviceId, platform), (view?.Id, view?.Platform));
    }

    private async Task<DeviceEnrollmentResult> EnrollAsync(ITenantGrain tenant, DevicePlatform platform, string upn)
    {
        var token = await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(1), null);
        var osVersion = platform == DevicePlatform.MacOS ? "15.1" : "10.0.22631";
        return await fixture.Grains.GetGrain<IEnrollmentGrain>(0).EnrollAsync(token.Token!, TestDevices.Enrollment(platform, osVersion: osVersion) with { UserPrincipalName = upn });
    }
}
