using Intune.Grains.Delivery;
using Intune.Grains.Devices;
using Intune.Grains.Errors;
using Intune.Grains.Policies;

namespace Intune.Grains.Apps;

/// <summary>What a device should do with one app, once every assignment reaching it is combined.</summary>
[GenerateSerializer, Alias("intune.AppResolution")]
public enum AppResolution
{
    /// <summary>No assignment reaches the device (or only ones that need no action from it).</summary>
    None,
    Available,
    Required,
    Uninstall,

    /// <summary>Required and uninstall both reach the device: nothing is done and the conflict is reported.</summary>
    Conflict,
}

/// <summary>
/// App intents (docs/apps.md, "Intents and conflicts"): pure, tested without a cluster. Each intent
/// is targeted on its own (its exclusions exclude only from it, the rule of
/// <see cref="DeliveryTargeting.Reaches"/> within each); then required beats available, uninstall
/// beats available, and required with uninstall is a conflict — neither is carried out.
/// </summary>
public static class AppIntentResolver
{
    public static AppResolution Resolve(
        IReadOnlyList<MobileAppAssignment> assignments,
        IReadOnlyDictionary<string, GroupMembership> groups,
        string deviceId,
        IReadOnlyCollection<string> userPrincipalNames)
    {
        bool Reaches(AppInstallIntent intent) =>
            assignments.Any(a => a.Intent == intent && a.Target.Kind != AssignmentTargetKind.ExclusionGroup)
            && DeliveryTargeting.Reaches(assignments.Where(a => a.Intent == intent).Select(a => a.Target).ToList(), groups, deviceId, userPrincipalNames);

        var required = Reaches(AppInstallIntent.Required);
        var uninstall = Reaches(AppInstallIntent.Uninstall);
        if (required && uninstall)
        {
            return AppResolution.Conflict;
        }

        if (required)
        {
            return AppResolution.Required;
        }

        if (uninstall)
        {
            return AppResolution.Uninstall;
        }

        // Available without enrollment is app protection's; an enrolled device sees it as available.
        return Reaches(AppInstallIntent.Available) || Reaches(AppInstallIntent.AvailableWithoutEnrollment)
            ? AppResolution.Available
            : AppResolution.None;
    }

    /// <summary>Refuses assignment lists Intune refuses: one target under two intents, intents the app's platform or the target kind cannot take.</summary>
    public static void CheckAssignments(MobileAppType type, IReadOnlyList<MobileAppAssignment> assignments)
    {
        foreach (var a in assignments)
        {
            if (a.Target.Kind is AssignmentTargetKind.Group or AssignmentTargetKind.ExclusionGroup && string.IsNullOrWhiteSpace(a.Target.GroupId))
            {
                throw new InvalidRequestException("A group assignment target needs a groupId.", "groupId");
            }

            if (a.Intent is AppInstallIntent.Available or AppInstallIntent.AvailableWithoutEnrollment && a.Target.Kind == AssignmentTargetKind.AllDevices)
            {
                throw new InvalidRequestException($"Intent '{Name(a.Intent)}' is offered to users in the Company Portal; it cannot target all devices.", "intent");
            }

            if (a.Intent == AppInstallIntent.AvailableWithoutEnrollment && type.Platform is not (DevicePlatform.IOS or DevicePlatform.Android))
            {
                throw new InvalidRequestException($"Intent 'availableWithoutEnrollment' applies to iOS and Android apps only; {type.ODataType} is not one.", "intent");
            }
        }

        var conflicting = assignments
            .Where(a => a.Target.Kind != AssignmentTargetKind.ExclusionGroup)
            .GroupBy(a => a.Target)
            .FirstOrDefault(g => g.Select(a => a.Intent).Distinct().Count() > 1);
        if (conflicting is not null)
        {
            throw new InvalidRequestException(
                $"The target {conflicting.Key.GroupId ?? conflicting.Key.Kind.ToString()} is assigned with conflicting intents ({string.Join(", ", conflicting.Select(a => Name(a.Intent)).Distinct())}); a group takes one intent per app.",
                "intent");
        }
    }

    public static string Name(AppInstallIntent intent) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(intent.ToString());
}
