using Intune.Grains.Policies;
using Intune.Grains.Tenants;

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

    // Compliance and configuration (issue 4 uses ids 40–69); see DeviceGrain.Compliance.cs.
    /// <summary>The compliance policies delivered to this device, each at its current (immutable) version.</summary>
    [Id(40)] public Dictionary<string, PolicyDefinition> CompliancePolicies { get; set; } = [];
    [Id(41)] public Dictionary<string, DevicePolicyStatus> ComplianceStatuses { get; set; } = [];
    [Id(42)] public Dictionary<string, PolicyDefinition> ConfigurationProfiles { get; set; } = [];
    [Id(43)] public Dictionary<string, DevicePolicyStatus> ConfigurationStatuses { get; set; } = [];
    /// <summary>The tenant's compliance settings as last delivered; null until the first check-in fetched them.</summary>
    [Id(44)] public ComplianceSettings? ComplianceSettings { get; set; }
    [Id(45)] public bool HasCheckedIn { get; set; }
    [Id(46)] public List<ComplianceNotification> Notifications { get; set; } = [];
    /// <summary>Actions already taken in the current noncompliance episode, as <c>policyId/ruleIndex/actionIndex</c>.</summary>
    [Id(47)] public HashSet<string> FiredActions { get; set; } = [];
    /// <summary>The device's last per-setting results for its configuration, by <c>policyId/setting</c>.</summary>
    [Id(48)] public Dictionary<string, SettingReport> SettingReports { get; set; } = [];
    /// <summary>What this device last counted as in the tenant summaries (so a transition moves exactly one count).</summary>
    [Id(49)] public PolicyDeviceState? SummaryComplianceState { get; set; }
    [Id(50)] public PolicyDeviceState? SummaryConfigurationState { get; set; }
    /// <summary>The deadline the wake-up reminder is set for, so it is re-registered only when it moves.</summary>
    [Id(51)] public DateTimeOffset? ReminderDeadline { get; set; }
    /// <summary>The hardware index keys (serial, MACs) this device is registered under for network access control.</summary>
    [Id(52)] public HashSet<string> IndexedHardware { get; set; } = [];
    /// <summary>The enrolled user was deleted: the built-in default compliance policy's "enrolled user exists" fails.</summary>
    [Id(70)] public bool EnrolledUserDeleted { get; set; }
    /// <summary>Users (lower case) associated besides the enrolled one (a shared or multi-user device): user-targeted deliverables reach the device through them too.</summary>
    [Id(71)] public HashSet<string> AssociatedUsers { get; set; } = [];

    // Apps (ids 80–89); see DeviceGrain.Apps.cs.
    /// <summary>The apps whose assignments reach this device, by app id.</summary>
    [Id(80)] public Dictionary<string, Apps.DeviceAppState> Apps { get; set; } = [];
    /// <summary>The apps the device's inventory last reported (managedDevice detectedApps).</summary>
    [Id(81)] public List<Apps.DetectedApp> DetectedApps { get; set; } = [];

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
