namespace Intune.Grains.Devices;

/// <summary>Hardware identifiers a device presents at enrollment.</summary>
[GenerateSerializer, Immutable, Alias("intune.HardwareIdentifiers")]
public sealed record HardwareIdentifiers(
    [property: Id(0)] string? SerialNumber,
    [property: Id(1)] string? Imei,
    [property: Id(2)] string? Meid,
    [property: Id(3)] string? WiFiMacAddress,
    [property: Id(4)] string? EthernetMacAddress,
    [property: Id(5)] string? Udid)
{
    public static readonly HardwareIdentifiers None = new(null, null, null, null, null, null);
}

/// <summary>
/// What a device reports about itself at check-in. A record so that "unchanged" is a value
/// comparison: an unchanged report must not cause a storage write.
/// </summary>
[GenerateSerializer, Immutable, Alias("intune.DeviceFacts")]
public sealed record DeviceFacts
{
    [Id(0)] public string? OsVersion { get; init; }
    [Id(1)] public string? Model { get; init; }
    [Id(2)] public string? Manufacturer { get; init; }
    [Id(3)] public string? SerialNumber { get; init; }
    [Id(4)] public string? Imei { get; init; }
    [Id(5)] public bool StorageEncrypted { get; init; }
    /// <summary>Null when the device does not know (Graph reports "Unknown").</summary>
    [Id(6)] public bool? JailBroken { get; init; }
    [Id(7)] public bool PasscodeSet { get; init; }
    [Id(8)] public int PasscodeLength { get; init; }
    [Id(9)] public bool FirewallEnabled { get; init; }
    [Id(10)] public bool SecureBootEnabled { get; init; }
    [Id(11)] public bool BitLockerEnabled { get; init; }
    [Id(12)] public long TotalStorageBytes { get; init; }
    [Id(13)] public long FreeStorageBytes { get; init; }
    [Id(14)] public string? AndroidSecurityPatchLevel { get; init; }
    [Id(15)] public string? WiFiMacAddress { get; init; }
    [Id(16)] public string? EthernetMacAddress { get; init; }
    [Id(17)] public string? DeviceName { get; init; }
}
