using Intune.Grains;
using Intune.Grains.Groups;
using Microsoft.Graph;
using Microsoft.Graph.DeviceAppManagement.MobileApps.Item.Assign;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Xunit.Abstractions;

namespace Intune.AdminGateway.Tests.MobileApps;

/// <summary>
/// <c>assign</c> with intents through the Graph SDK: required/available/uninstall to groups,
/// exclusions, all users and all devices with per-type settings; the refusals Intune gives; and
/// the storage requests of assigning to a large group (an app is a deliverable: no device is written).
/// </summary>
public sealed class MobileAppAssignmentTests(MobileAppsSdkTests.Unit unit, ITestOutputHelper output) : IClassFixture<MobileAppsSdkTests.Unit>
{
    [Fact]
    public async Task Assign_IntentsToGroupsExclusionsAndAll_ReadBackWithTheirSettings()
    {
        var graph = unit.Graph();
        var app = await MobileAppsSdkTests.CreateWin32Async(graph);
        var required = await CreateGroupAsync(members: 0);
        var excluded = await CreateGroupAsync(members: 0);
        var uninstall = await CreateGroupAsync(members: 0);

        await graph.DeviceAppManagement.MobileApps[app.Id].Assign.PostAsync(new AssignPostRequestBody
        {
            MobileAppAssignments =
            [
                new MobileAppAssignment
                {
                    Intent = InstallIntent.Required,
                    Target = new GroupAssignmentTarget { GroupId = required },
                    Settings = new Win32LobAppAssignmentSettings { Notifications = Win32LobAppNotification.ShowReboot, DeliveryOptimizationPriority = Win32LobAppDeliveryOptimizationPriority.Foreground },
                },
                new MobileAppAssignment { Intent = InstallIntent.Required, Target = new ExclusionGroupAssignmentTarget { GroupId = excluded } },
                new MobileAppAssignment { Intent = InstallIntent.Uninstall, Target = new GroupAssignmentTarget { GroupId = uninstall } },
                new MobileAppAssignment { Intent = InstallIntent.Available, Target = new AllLicensedUsersAssignmentTarget() },
            ],
        });
        var assignments = (await graph.DeviceAppManagement.MobileApps[app.Id].Assignments.GetAsync())!.Value!;

        Assert.Equal(4, assignments.Count);
        var first = Assert.Single(assignments, a => a.Target is GroupAssignmentTarget { GroupId: var g } && g == required && a.Target is not ExclusionGroupAssignmentTarget);
        Assert.Equal(InstallIntent.Required, first.Intent);
        Assert.Equal(Win32LobAppNotification.ShowReboot, Assert.IsType<Win32LobAppAssignmentSettings>(first.Settings).Notifications);
        Assert.Contains(assignments, a => a.Intent == InstallIntent.Required && a.Target is ExclusionGroupAssignmentTarget { GroupId: var g } && g == excluded);
        Assert.Contains(assignments, a => a.Intent == InstallIntent.Uninstall && a.Target is GroupAssignmentTarget { GroupId: var g } && g == uninstall);
        Assert.Contains(assignments, a => a.Intent == InstallIntent.Available && a.Target is AllLicensedUsersAssignmentTarget);
    }

    [Fact]
    public async Task Assign_SameGroupTwoIntents_Is400AndKeepsThePreviousAssignments()
    {
        var graph = unit.Graph();
        var app = await MobileAppsSdkTests.CreateWin32Async(graph);
        var group = await CreateGroupAsync(members: 0);
        await graph.DeviceAppManagement.MobileApps[app.Id].Assign.PostAsync(new AssignPostRequestBody
        {
            MobileAppAssignments = [new MobileAppAssignment { Intent = InstallIntent.Required, Target = new AllDevicesAssignmentTarget() }],
        });

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.DeviceAppManagement.MobileApps[app.Id].Assign.PostAsync(new AssignPostRequestBody
        {
            MobileAppAssignments =
            [
                new MobileAppAssignment { Intent = InstallIntent.Required, Target = new GroupAssignmentTarget { GroupId = group } },
                new MobileAppAssignment { Intent = InstallIntent.Uninstall, Target = new GroupAssignmentTarget { GroupId = group } },
            ],
        }));

        Assert.Equal(400, error.ResponseStatusCode);
        Assert.Contains("conflicting intents", error.Error!.Message, StringComparison.Ordinal);
        var kept = Assert.Single((await graph.DeviceAppManagement.MobileApps[app.Id].Assignments.GetAsync())!.Value!);
        Assert.IsType<AllDevicesAssignmentTarget>(kept.Target);
    }

    [Fact]
    public async Task Assign_RefusedInputs_AreClear4xx()
    {
        var graph = unit.Graph();
        var win32 = await MobileAppsSdkTests.CreateWin32Async(graph);
        var web = await graph.DeviceAppManagement.MobileApps.PostAsync(new WebApp { DisplayName = "Portal", Publisher = "Contoso", AppUrl = "https://portal.contoso.example" });
        var (otherTenant, _) = await unit.Host.CreateTenantAsync("Fabrikam");
        var foreignGroup = Guid.NewGuid().ToString();
        await unit.Host.Grains.GetGrain<IGroupGrain>(GrainKeys.Scoped(otherTenant, foreignGroup)).CreateAsync("Fabrikam devices", null);

        async Task<ODataError> Refused(string? appId, MobileAppAssignment assignment) =>
            await Assert.ThrowsAsync<ODataError>(() => graph.DeviceAppManagement.MobileApps[appId].Assign.PostAsync(new AssignPostRequestBody { MobileAppAssignments = [assignment] }));

        var foreign = await Refused(win32.Id, new MobileAppAssignment { Intent = InstallIntent.Required, Target = new GroupAssignmentTarget { GroupId = foreignGroup } });
        var availableToDevices = await Refused(win32.Id, new MobileAppAssignment { Intent = InstallIntent.Available, Target = new AllDevicesAssignmentTarget() });
        var withoutEnrollmentOnWindows = await Refused(win32.Id, new MobileAppAssignment { Intent = InstallIntent.AvailableWithoutEnrollment, Target = new AllLicensedUsersAssignmentTarget() });
        var wrongSettings = await Refused(web!.Id, new MobileAppAssignment { Intent = InstallIntent.Required, Target = new AllDevicesAssignmentTarget(), Settings = new Win32LobAppAssignmentSettings() });

        Assert.Equal(404, foreign.ResponseStatusCode);
        Assert.Contains(foreignGroup, foreign.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(400, availableToDevices.ResponseStatusCode);
        Assert.Equal(400, withoutEnrollmentOnWindows.ResponseStatusCode);
        Assert.Equal(400, wrongSettings.ResponseStatusCode);
        Assert.Contains("takes no settings", wrongSettings.Error!.Message, StringComparison.Ordinal);
        Assert.Empty((await graph.DeviceAppManagement.MobileApps[win32.Id].Assignments.GetAsync())!.Value!);
    }

    [Fact]
    public async Task Assign_ToA20000MemberGroup_CostsAFewStorageRequestsWhateverTheSize()
    {
        var graph = unit.Graph();
        var app = await MobileAppsSdkTests.CreateWin32Async(graph);
        var group = await CreateGroupAsync(members: 20_000);
        var body = new AssignPostRequestBody { MobileAppAssignments = [new MobileAppAssignment { Intent = InstallIntent.Required, Target = new GroupAssignmentTarget { GroupId = group } }] };

        var before = StorageRequestMeter.Snapshot();
        var total = StorageRequestMeter.Total;
        await graph.DeviceAppManagement.MobileApps[app.Id].Assign.PostAsync(body);
        var assign = StorageRequestMeter.Total - total;
        output.WriteLine($"assign to 20,000 members: {assign} storage requests ({StorageRequestMeter.Describe(before, StorageRequestMeter.Snapshot())})");
        total = StorageRequestMeter.Total;
        await graph.DeviceAppManagement.MobileApps[app.Id].Assign.PostAsync(new AssignPostRequestBody { MobileAppAssignments = [] });
        var unassign = StorageRequestMeter.Total - total;
        output.WriteLine($"unassign: {unassign} storage requests");

        // The app's write, the group's targeting mark, the tenant's assignment record and the audit row.
        Assert.InRange(assign, 1, 10);
        Assert.InRange(unassign, 1, 10);
    }

    private async Task<string> CreateGroupAsync(int members)
    {
        var id = Guid.NewGuid().ToString();
        var group = unit.Host.Grains.GetGrain<IGroupGrain>(GrainKeys.Scoped(unit.TenantId, id));
        await group.CreateAsync($"Group {id[..8]}", null);
        foreach (var chunk in Enumerable.Range(0, members).Select(i => $"device-{i:D6}").Chunk(5_000))
        {
            await group.AddMembersAsync([.. chunk.Select(d => new GroupMember(GroupMemberKind.Device, d))]);
        }

        return id;
    }
}
