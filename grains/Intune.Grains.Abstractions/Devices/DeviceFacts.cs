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

    // Facts the compliance settings need (issue 4 uses ids 40–69). Null means "not reported",
    // which a setting that needs the fact evaluates as not compliant.
    [Id(40)] public bool? SystemIntegrityProtectionEnabled { get; init; }
    /// <summary>Mobile threat defense level: <c>secured</c>, <c>low</c>, <c>medium</c> or <c>high</c>.</summary>
    [Id(41)] public string? ThreatLevel { get; init; }
    [Id(42)] public bool? CodeIntegrityEnabled { get; init; }
    [Id(43)] public bool? EarlyLaunchAntiMalwareDriverEnabled { get; init; }
    [Id(44)] public bool? DeviceHealthAttested { get; init; }
    [Id(45)] public bool? FirewallBlockAllIncoming { get; init; }
    [Id(46)] public bool? FirewallStealthMode { get; init; }
    /// <summary>The kind of passcode set: a <c>requiredPasswordType</c> or <c>androidRequiredPasswordType</c> value.</summary>
    [Id(47)] public string? PasscodeType { get; init; }
    [Id(48)] public bool? PasscodeSimple { get; init; }
    [Id(49)] public int? PasscodeCharacterSetCount { get; init; }
    [Id(50)] public int? PasscodeExpirationDays { get; init; }
    [Id(51)] public int? PasscodeHistoryCount { get; init; }
    [Id(52)] public int? MinutesOfInactivityBeforeLock { get; init; }
    [Id(53)] public bool? UsbDebuggingEnabled { get; init; }
    [Id(54)] public bool? UnknownSourcesAllowed { get; init; }
    [Id(55)] public bool? CompanyPortalIntegrity { get; init; }
    [Id(56)] public bool? GooglePlayServicesAvailable { get; init; }
    [Id(57)] public bool? SafetyNetBasicIntegrity { get; init; }
    [Id(58)] public bool? SafetyNetCertifiedDevice { get; init; }
    [Id(59)] public bool? SecurityProvidersUpToDate { get; init; }
    [Id(60)] public bool? VerifyAppsEnabled { get; init; }
    [Id(61)] public bool? ManagedEmailProfilePresent { get; init; }
}
