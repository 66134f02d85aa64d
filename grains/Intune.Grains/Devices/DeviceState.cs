namespace Intune.Grains.Devices;

/// <summary>
/// The durable record of one device. The type name and member ids are part of the stored
/// format: add members with new ids, never rename or renumber.
/// </summary>
[GenerateSerializer, Alias("intune.DeviceState")]
public sealed class DeviceState
{
    [Id(0)] public string? TenantId { get; set; }
    [Id(1)] public string? DeviceId { get; set; }
    [Id(2)] public string DeviceName { get; set; } = string.Empty;
    [Id(3)] public DevicePlatform Platform { get; set; }
    [Id(4)] public string OsVersion { get; set; } = string.Empty;
    [Id(5)] public string? UserPrincipalName { get; set; }
    [Id(6)] public DeviceOwnership Ownership { get; set; }
    [Id(7)] public DateTimeOffset EnrolledDateTime { get; set; }
    /// <summary>Last check-in as persisted; coalesced (see <see cref="DeviceGrain"/>).</summary>
    [Id(8)] public DateTimeOffset LastSyncDateTime { get; set; }
    [Id(9)] public string? CertificateSerialNumber { get; set; }
    [Id(10)] public DateTimeOffset CertificateNotAfter { get; set; }
    [Id(11)] public DeviceFacts Facts { get; set; } = new();
    [Id(12)] public HardwareIdentifiers Hardware { get; set; } = HardwareIdentifiers.None;
    [Id(13)] public ComplianceState ComplianceState { get; set; }
    [Id(14)] public ManagementState ManagementState { get; set; }
    /// <summary>Bumped whenever what the device should hold changes; part of the assignment etag.</summary>
    [Id(15)] public long AssignmentVersion { get; set; }
    /// <summary>Remote actions: pending ones are delivered at every check-in until acknowledged; finished ones are history.</summary>
    [Id(16)] public List<DeviceActionRecord> Actions { get; set; } = [];
    [Id(17)] public string? Notes { get; set; }
    /// <summary>A renewed certificate not yet used: the current one stays valid until the device presents this one.</summary>
    [Id(18)] public string? PendingCertificateSerialNumber { get; set; }
    [Id(19)] public DateTimeOffset PendingCertificateNotAfter { get; set; }

    public bool IsEnrolled => DeviceId is not null;
}

/// <summary>One remote action as stored on the device.</summary>
[GenerateSerializer, Alias("intune.DeviceActionRecord")]
public sealed class DeviceActionRecord
{
    [Id(0)] public string CommandId { get; set; } = string.Empty;
    [Id(1)] public DeviceActionKind Kind { get; set; }
    [Id(2)] public bool KeepEnrollmentData { get; set; }
    [Id(3)] public bool KeepUserData { get; set; }
    [Id(4)] public string? MacOsUnlockCode { get; set; }
    [Id(5)] public DeviceActionState State { get; set; }
    [Id(6)] public DateTimeOffset StartDateTime { get; set; }
    [Id(7)] public DateTimeOffset LastUpdatedDateTime { get; set; }
    [Id(8)] public string? Error { get; set; }
}
