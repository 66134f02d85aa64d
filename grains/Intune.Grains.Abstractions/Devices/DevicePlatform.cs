namespace Intune.Grains.Devices;

/// <summary>The platforms a device can enroll with.</summary>
[GenerateSerializer, Alias("intune.DevicePlatform")]
public enum DevicePlatform
{
    Unknown = 0,
    Windows = 1,
    IOS = 2,
    IPadOS = 3,
    MacOS = 4,
    Android = 5,
}

/// <summary>Who owns the device (Graph <c>managedDeviceOwnerType</c>).</summary>
[GenerateSerializer, Alias("intune.DeviceOwnership")]
public enum DeviceOwnership
{
    Unknown = 0,
    Company = 1,
    Personal = 2,
}

/// <summary>Graph <c>complianceState</c>.</summary>
[GenerateSerializer, Alias("intune.ComplianceState")]
public enum ComplianceState
{
    Unknown = 0,
    Compliant = 1,
    Noncompliant = 2,
    Conflict = 3,
    Error = 4,
    InGracePeriod = 254,
    ConfigManager = 255,
}

/// <summary>Graph <c>managementState</c>.</summary>
[GenerateSerializer, Alias("intune.ManagementState")]
public enum ManagementState
{
    Managed = 0,
    RetirePending = 1,
    RetireFailed = 2,
    WipePending = 3,
    WipeFailed = 4,
    Unhealthy = 5,
    DeletePending = 6,
    RetireIssued = 7,
    WipeIssued = 8,
    WipeCanceled = 9,
    RetireCanceled = 10,
    Discovered = 11,
}

public static class DevicePlatformNames
{
    /// <summary>The <c>operatingSystem</c> string Intune reports for a platform.</summary>
    public static string OperatingSystem(this DevicePlatform platform) => platform switch
    {
        DevicePlatform.Windows => "Windows",
        DevicePlatform.IOS => "iOS",
        DevicePlatform.IPadOS => "iPadOS",
        DevicePlatform.MacOS => "macOS",
        DevicePlatform.Android => "Android",
        _ => "Unknown",
    };
}
