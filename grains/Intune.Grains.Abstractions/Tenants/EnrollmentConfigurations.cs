using Intune.Grains.Devices;

namespace Intune.Grains.Tenants;

/// <summary>The two kinds of enrollment restriction Graph models.</summary>
[GenerateSerializer, Alias("intune.EnrollmentConfigurationKind")]
public enum EnrollmentConfigurationKind
{
    /// <summary><c>deviceEnrollmentLimitConfiguration</c>: devices per user.</summary>
    Limit = 1,

    /// <summary><c>deviceEnrollmentPlatformRestrictionsConfiguration</c>: platforms, ownership, OS versions.</summary>
    PlatformRestrictions = 2,
}

/// <summary>Graph <c>deviceEnrollmentPlatformRestriction</c> for one platform.</summary>
[GenerateSerializer, Immutable, Alias("intune.PlatformRestriction")]
public sealed record PlatformRestriction(
    [property: Id(0)] bool PlatformBlocked = false,
    [property: Id(1)] bool PersonalDeviceEnrollmentBlocked = false,
    [property: Id(2)] string? OsMinimumVersion = null,
    [property: Id(3)] string? OsMaximumVersion = null)
{
    public static readonly PlatformRestriction None = new();
}

/// <summary>An assignment target of an enrollment configuration (Graph <c>deviceAndAppManagementAssignmentTarget</c>).</summary>
[GenerateSerializer, Immutable, Alias("intune.EnrollmentAssignmentTarget")]
public sealed record EnrollmentAssignmentTarget(
    [property: Id(0)] string ODataType,
    [property: Id(1)] string? GroupId);

/// <summary>One enrollment restriction as the admin sees it; defaults have priority 0.</summary>
[GenerateSerializer, Immutable, Alias("intune.EnrollmentConfiguration")]
public sealed record EnrollmentConfiguration
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required EnrollmentConfigurationKind Kind { get; init; }
    [Id(2)] public string? DisplayName { get; init; }
    [Id(3)] public string? Description { get; init; }
    [Id(4)] public int Priority { get; init; }
    [Id(5)] public DateTimeOffset CreatedDateTime { get; init; }
    [Id(6)] public DateTimeOffset LastModifiedDateTime { get; init; }
    [Id(7)] public int Version { get; init; }
    /// <summary>Devices per user (Limit kind), 1–15.</summary>
    [Id(8)] public int Limit { get; init; }
    [Id(9)] public PlatformRestriction IosRestriction { get; init; } = PlatformRestriction.None;
    [Id(10)] public PlatformRestriction AndroidRestriction { get; init; } = PlatformRestriction.None;
    [Id(11)] public PlatformRestriction WindowsRestriction { get; init; } = PlatformRestriction.None;
    [Id(12)] public PlatformRestriction MacOSRestriction { get; init; } = PlatformRestriction.None;
    [Id(13)] public IReadOnlyList<EnrollmentAssignmentTarget> Assignments { get; init; } = [];

    public bool IsDefault => Priority == 0;

    public PlatformRestriction RestrictionFor(DevicePlatform platform) => platform switch
    {
        DevicePlatform.IOS or DevicePlatform.IPadOS => IosRestriction,
        DevicePlatform.Android => AndroidRestriction,
        DevicePlatform.Windows => WindowsRestriction,
        DevicePlatform.MacOS => MacOSRestriction,
        _ => PlatformRestriction.None,
    };
}

/// <summary>A change to an enrollment configuration (Graph PATCH); null leaves a field as it is.</summary>
[GenerateSerializer, Immutable, Alias("intune.EnrollmentConfigurationPatch")]
public sealed record EnrollmentConfigurationPatch
{
    [Id(0)] public string? DisplayName { get; init; }
    [Id(1)] public string? Description { get; init; }
    [Id(2)] public int? Limit { get; init; }
    [Id(3)] public PlatformRestriction? IosRestriction { get; init; }
    [Id(4)] public PlatformRestriction? AndroidRestriction { get; init; }
    [Id(5)] public PlatformRestriction? WindowsRestriction { get; init; }
    [Id(6)] public PlatformRestriction? MacOSRestriction { get; init; }
}

/// <summary>What the tenant's rules allow a device that passed them: the per-user limit to enforce.</summary>
[GenerateSerializer, Immutable, Alias("intune.EnrollmentAdmission")]
public sealed record EnrollmentAdmission([property: Id(0)] int DeviceLimit);

/// <summary>Compares OS versions as Intune does: dotted numbers, missing parts count as zero.</summary>
public static class OsVersion
{
    public static bool TryParse(string? text, out int[] parts)
    {
        parts = [];
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var pieces = text.Trim().Split('.');
        var parsed = new int[pieces.Length];
        for (var i = 0; i < pieces.Length; i++)
        {
            if (!int.TryParse(pieces[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out parsed[i]))
            {
                return false;
            }
        }

        parts = parsed;
        return true;
    }

    public static int Compare(int[] left, int[] right)
    {
        for (var i = 0; i < Math.Max(left.Length, right.Length); i++)
        {
            var difference = (i < left.Length ? left[i] : 0).CompareTo(i < right.Length ? right[i] : 0);
            if (difference != 0)
            {
                return difference;
            }
        }

        return 0;
    }
}
