using Intune.Grains.Apps;
using Intune.Grains.Delivery;
using Intune.Grains.Errors;
using Intune.Grains.Policies;

namespace Intune.Grains.Tests.Apps;

/// <summary>How intents combine on one device (docs/apps.md, "Intents and conflicts"), without a cluster.</summary>
public sealed class AppIntentResolverTests
{
    private const string Device = "device-1";
    private const string User = "ada@contoso.example";

    private static readonly IReadOnlyDictionary<string, GroupMembership> Groups = new Dictionary<string, GroupMembership>
    {
        ["devices"] = new(1, CompactMemberSet.From([Device]), CompactMemberSet.Empty),
        ["users"] = new(1, CompactMemberSet.Empty, CompactMemberSet.From([User])),
        ["other"] = new(1, CompactMemberSet.From(["device-2"]), CompactMemberSet.Empty),
    };

    private static MobileAppAssignment A(AppInstallIntent intent, AssignmentTargetKind kind, string? group = null) =>
        new(string.Empty, intent, new AssignmentTarget(kind, group), null);

    [Theory]
    [InlineData(AppInstallIntent.Required, AppResolution.Required)]
    [InlineData(AppInstallIntent.Available, AppResolution.Available)]
    [InlineData(AppInstallIntent.Uninstall, AppResolution.Uninstall)]
    [InlineData(AppInstallIntent.AvailableWithoutEnrollment, AppResolution.Available)]
    public void Resolve_OneIntentThroughADeviceGroup_IsThatIntent(AppInstallIntent intent, AppResolution expected) =>
        Assert.Equal(expected, AppIntentResolver.Resolve([A(intent, AssignmentTargetKind.Group, "devices")], Groups, Device, [User]));

    [Fact]
    public void Resolve_RequiredAndAvailable_IsRequired() =>
        Assert.Equal(AppResolution.Required, AppIntentResolver.Resolve(
            [A(AppInstallIntent.Available, AssignmentTargetKind.AllLicensedUsers), A(AppInstallIntent.Required, AssignmentTargetKind.Group, "devices")], Groups, Device, [User]));

    [Fact]
    public void Resolve_UninstallAndAvailable_IsUninstall() =>
        Assert.Equal(AppResolution.Uninstall, AppIntentResolver.Resolve(
            [A(AppInstallIntent.Available, AssignmentTargetKind.Group, "users"), A(AppInstallIntent.Uninstall, AssignmentTargetKind.Group, "devices")], Groups, Device, [User]));

    [Fact]
    public void Resolve_RequiredForTheUserUninstallForTheDevice_IsAConflict() =>
        Assert.Equal(AppResolution.Conflict, AppIntentResolver.Resolve(
            [A(AppInstallIntent.Required, AssignmentTargetKind.Group, "users"), A(AppInstallIntent.Uninstall, AssignmentTargetKind.Group, "devices")], Groups, Device, [User]));

    [Fact]
    public void Resolve_ExclusionOfTheSameKind_ExcludesOnlyFromItsIntent()
    {
        IReadOnlyList<MobileAppAssignment> assignments =
        [
            A(AppInstallIntent.Required, AssignmentTargetKind.AllDevices),
            A(AppInstallIntent.Required, AssignmentTargetKind.ExclusionGroup, "devices"),
            A(AppInstallIntent.Available, AssignmentTargetKind.Group, "users"),
        ];

        Assert.Equal(AppResolution.Available, AppIntentResolver.Resolve(assignments, Groups, Device, [User]));
        Assert.Equal(AppResolution.Required, AppIntentResolver.Resolve(assignments, Groups, "device-2", []));
    }

    [Fact]
    public void Resolve_DeviceExclusionAgainstUserInclusion_DoesNotExclude() =>
        Assert.Equal(AppResolution.Required, AppIntentResolver.Resolve(
            [A(AppInstallIntent.Required, AssignmentTargetKind.Group, "users"), A(AppInstallIntent.Required, AssignmentTargetKind.ExclusionGroup, "devices")], Groups, Device, [User]));

    [Fact]
    public void Resolve_OnlyExclusions_ReachNobody() =>
        Assert.Equal(AppResolution.None, AppIntentResolver.Resolve([A(AppInstallIntent.Required, AssignmentTargetKind.ExclusionGroup, "other")], Groups, Device, [User]));

    [Fact]
    public void CheckAssignments_OneGroupUnderTwoIntents_IsRefused()
    {
        var type = MobileAppTypes.Find("win32LobApp")!;

        var error = Assert.Throws<InvalidRequestException>(() => AppIntentResolver.CheckAssignments(type,
            [A(AppInstallIntent.Required, AssignmentTargetKind.Group, "devices"), A(AppInstallIntent.Uninstall, AssignmentTargetKind.Group, "devices")]));

        Assert.Contains("conflicting intents", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckAssignments_SameExclusionUnderTwoIntents_IsAllowed() =>
        AppIntentResolver.CheckAssignments(MobileAppTypes.Find("iosStoreApp")!,
        [
            A(AppInstallIntent.Required, AssignmentTargetKind.ExclusionGroup, "devices"),
            A(AppInstallIntent.Available, AssignmentTargetKind.ExclusionGroup, "devices"),
            A(AppInstallIntent.AvailableWithoutEnrollment, AssignmentTargetKind.AllLicensedUsers),
        ]);
}
