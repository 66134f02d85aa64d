using Intune.Grains.Devices;
using Intune.Grains.Errors;
using Intune.Grains.Groups;
using Intune.Grains.Policies;
using Intune.Grains.Tests.Policies;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Intune.Grains.Tests.Groups;

/// <summary>
/// Group members live as rows of the member-set table (on Azurite), not in grain state
/// (one 1 MB entity): they survive a reactivation, and members from older grain state move to rows.
/// </summary>
[Collection(AzuriteRowStoresCollection.Name)]
public sealed class GroupMemberStorageTests(AzuriteRowStoresClusterFixture fixture)
{
    private IServiceProvider Services => ((InProcessSiloHandle)fixture.Cluster.Primary!).SiloHost.Services;

    private IMemberSetStore Store => Services.GetRequiredService<IMemberSetStore>();

    [Fact]
    public async Task AddMembersAsync_ThenReactivated_MembersAreRowsAndLoadBack()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var groupId = Guid.NewGuid().ToString();
        var group = kit.Group(groupId);
        await group.CreateAsync("Kiosks", null);
        await group.AddMembersAsync([.. Enumerable.Range(0, 500).Select(i => new GroupMember(GroupMemberKind.Device, $"device-{i:D3}")), new GroupMember(GroupMemberKind.User, "Adele@Contoso.example")]);
        await group.RemoveMemberAsync("device-000");

        var rows = await Store.LoadAsync(kit.TenantId, MemberSets.GroupDevices(groupId));
        await fixture.Cluster.DeactivateAsync(group);
        var members = await group.GetMembersAsync();
        var info = await group.GetAsync();

        Assert.Equal(499, rows.Count);
        Assert.DoesNotContain("device-000", rows);
        Assert.Equal(rows.Order(StringComparer.Ordinal), members.Devices.Order(StringComparer.Ordinal));
        Assert.Equal(["adele@contoso.example"], members.Users);
        Assert.Equal((499, 1), (info!.DeviceMemberCount, info.UserMemberCount));
        Assert.Equal((true, true), await group.ContainsAsync("device-499", "ADELE@contoso.example"));
    }

    [Fact]
    public async Task AddMembersAsync_IdWithSlash_ThrowsValidationError()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var group = await kit.CreateGroupAsync();

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => group.AddMembersAsync([new GroupMember(GroupMemberKind.Device, "a/b")]));

        Assert.Contains("'a/b' is not a valid member id", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await group.GetAsync())!.DeviceMemberCount);
    }

    [Fact]
    public async Task DeleteAsync_GroupWithMembers_RemovesItsRows()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var group = await kit.CreateGroupAsync(new GroupMember(GroupMemberKind.Device, "device-1"), new GroupMember(GroupMemberKind.User, "adele@contoso.example"));
        var groupId = GrainKeys.Split(group.GetPrimaryKeyString()).Id;

        await group.DeleteAsync();

        Assert.Empty(await Store.LoadAsync(kit.TenantId, MemberSets.GroupDevices(groupId)));
        Assert.Empty(await Store.LoadAsync(kit.TenantId, MemberSets.GroupUsers(groupId)));
    }

    [Fact]
    public async Task OnActivateAsync_LegacyMembersInGrainState_MovesThemToRows()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var groupId = Guid.NewGuid().ToString();
        var group = kit.Group(groupId);
        await group.CreateAsync("Legacy", null);
        await fixture.Cluster.DeactivateAsync(group);
        var storage = Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Grains);
        var stored = new GrainState<GroupState>();
        await storage.ReadStateAsync("group", group.GetGrainId(), stored);
        stored.State!.Devices.UnionWith(["legacy-1", "legacy-2"]);
        stored.State!.Users.Add("megan@contoso.example");
        await storage.WriteStateAsync("group", group.GetGrainId(), stored);

        var members = await group.GetMembersAsync();
        var after = new GrainState<GroupState>();
        await storage.ReadStateAsync("group", group.GetGrainId(), after);

        Assert.Equal(["legacy-1", "legacy-2"], members.Devices.Order(StringComparer.Ordinal));
        Assert.Equal(["legacy-1", "legacy-2"], (await Store.LoadAsync(kit.TenantId, MemberSets.GroupDevices(groupId))).Order(StringComparer.Ordinal));
        Assert.Equal(["megan@contoso.example"], await Store.LoadAsync(kit.TenantId, MemberSets.GroupUsers(groupId)));
        Assert.Empty(after.State!.Devices);
        Assert.Empty(after.State!.Users);
        Assert.Equal("Legacy", after.State!.DisplayName);
    }
}
