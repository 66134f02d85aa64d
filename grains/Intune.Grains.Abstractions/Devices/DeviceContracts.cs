namespace Intune.Grains.Devices;

/// <summary>An enrollment already authorised by the tenant, handed to the new device's grain.</summary>
[GenerateSerializer, Immutable, Alias("intune.DeviceEnrollment")]
public sealed record DeviceEnrollment(
    [property: Id(0)] DevicePlatform Platform,
    [property: Id(1)] string OsVersion,
    [property: Id(2)] string DeviceName,
    [property: Id(3)] HardwareIdentifiers Hardware,
    [property: Id(4)] string? UserPrincipalName,
    [property: Id(5)] DeviceOwnership Ownership,
    [property: Id(6)] byte[] CertificateSigningRequest,
    [property: Id(7)] string? Model,
    [property: Id(8)] string? Manufacturer);

/// <summary>The answer to a successful enrollment.</summary>
[GenerateSerializer, Immutable, Alias("intune.DeviceEnrollmentResult")]
public sealed record DeviceEnrollmentResult(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string DeviceId,
    [property: Id(2)] byte[] Certificate,
    [property: Id(3)] byte[] CertificateAuthority,
    [property: Id(4)] DateTimeOffset CertificateNotAfter,
    [property: Id(5)] DateTimeOffset NextCheckIn);

/// <summary>One check-in: facts plus what the device holds, authenticated by certificate serial.</summary>
[GenerateSerializer, Immutable, Alias("intune.DeviceCheckIn")]
public sealed record DeviceCheckIn(
    [property: Id(0)] string CertificateSerialNumber,
    [property: Id(1)] DeviceFacts Facts,
    [property: Id(2)] string? AssignmentEtag,
    [property: Id(3)] IReadOnlyList<DeviceCommandResult>? CommandResults = null)
{
    /// <summary>Per-setting results of the configuration the device applied (ids 10–29 belong to compliance).</summary>
    [Id(10)] public IReadOnlyList<Policies.SettingReport> SettingReports { get; init; } = [];

    /// <summary>Install states of apps since the last check-in (ids 30–39 belong to apps; docs/apps.md).</summary>
    [Id(30)] public IReadOnlyList<Apps.AppInstallReport> AppReports { get; init; } = [];

    /// <summary>The device's app inventory when it sent one (null: not reported this time, keep the last).</summary>
    [Id(31)] public IReadOnlyList<Apps.DetectedApp>? DetectedApps { get; init; }
}

[GenerateSerializer, Immutable, Alias("intune.DeviceCheckInResult")]
public sealed record DeviceCheckInResult(
    [property: Id(0)] bool NotModified,
    [property: Id(1)] string AssignmentEtag,
    [property: Id(2)] ComplianceState ComplianceState,
    [property: Id(3)] DateTimeOffset NextCheckIn,
    [property: Id(4)] IReadOnlyList<DeviceCommand>? Commands = null,
    [property: Id(5)] bool Unenrolled = false)
{
    /// <summary>The merged configuration to apply (only when not modified is false); conflicting settings are left out.</summary>
    [Id(10)] public IReadOnlyList<Policies.DeliveredSetting> Configuration { get; init; } = [];

    /// <summary>Settings left out because two profiles set them to different values.</summary>
    [Id(11)] public IReadOnlyList<Policies.SettingConflict> Conflicts { get; init; } = [];

    /// <summary>Per-policy compliance results, so the device can show the user what to fix.</summary>
    [Id(12)] public IReadOnlyList<Policies.DevicePolicyStatus> CompliancePolicies { get; init; } = [];

    /// <summary>What to install, offer or remove (only when not modified is false; ids 30–39 belong to apps).</summary>
    [Id(30)] public IReadOnlyList<Apps.AppInstruction> Apps { get; init; } = [];
}

/// <summary>The admin's view of a device: the fields of Graph's <c>managedDevice</c> we hold.</summary>
[GenerateSerializer, Immutable, Alias("intune.ManagedDeviceView")]
public sealed record ManagedDeviceView
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string TenantId { get; init; }
    [Id(2)] public required string DeviceName { get; init; }
    [Id(3)] public required DevicePlatform Platform { get; init; }
    [Id(4)] public string? OsVersion { get; init; }
    [Id(5)] public string? UserPrincipalName { get; init; }
    [Id(6)] public DeviceOwnership Ownership { get; init; }
    [Id(7)] public ComplianceState ComplianceState { get; init; }
    [Id(8)] public ManagementState ManagementState { get; init; }
    [Id(9)] public DateTimeOffset EnrolledDateTime { get; init; }
    [Id(10)] public DateTimeOffset LastSyncDateTime { get; init; }
    [Id(11)] public DateTimeOffset ManagementCertificateExpirationDate { get; init; }
    [Id(12)] public DeviceFacts Facts { get; init; } = new();
    [Id(13)] public HardwareIdentifiers Hardware { get; init; } = HardwareIdentifiers.None;
    [Id(30)] public IReadOnlyList<DeviceActionResult> DeviceActionResults { get; init; } = [];
    [Id(31)] public string? Notes { get; init; }
}

/// <summary>A page of devices from the tenant's device catalog.</summary>
[GenerateSerializer, Immutable, Alias("intune.ManagedDevicePage")]
public sealed record ManagedDevicePage(
    [property: Id(0)] IReadOnlyList<ManagedDeviceView> Devices,
    [property: Id(1)] string? ContinuationToken);

/// <summary>Thrown when a device call presents a certificate the device no longer accepts.</summary>
[GenerateSerializer, Alias("intune.DeviceAuthenticationException")]
public sealed class DeviceAuthenticationException(string message) : Exception(message);
