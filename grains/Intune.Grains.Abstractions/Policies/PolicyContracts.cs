namespace Intune.Grains.Policies;

/// <summary>
/// The kind of a deliverable: a policy judged on the server (compliance), one delivered to the
/// device (configuration), or an app (delivered with an install intent; see docs/apps.md).
/// </summary>
[GenerateSerializer, Alias("intune.PolicyKind")]
public enum PolicyKind
{
    Compliance = 0,
    Configuration = 1,
    MobileApp = 2,
    AppConfiguration = 3,
}

/// <summary>Graph <c>deviceComplianceActionType</c>.</summary>
[GenerateSerializer, Alias("intune.ComplianceActionType")]
public enum ComplianceActionType
{
    NoAction = 0,
    Notification = 1,
    Block = 2,
    Retire = 3,
    Wipe = 4,
    RemoveResourceAccessProfiles = 5,
    PushNotification = 9,
}

/// <summary>One action of a rule: what happens to a noncompliant device and how many hours later.</summary>
[GenerateSerializer, Immutable, Alias("intune.ComplianceActionItem")]
public sealed record ComplianceActionItem(
    [property: Id(0)] ComplianceActionType ActionType,
    [property: Id(1)] int GracePeriodHours,
    [property: Id(2)] string? NotificationTemplateId,
    [property: Id(3)] IReadOnlyList<string> NotificationMessageCcList);

/// <summary>Graph <c>deviceComplianceScheduledActionForRule</c>.</summary>
[GenerateSerializer, Immutable, Alias("intune.ScheduledActionRule")]
public sealed record ScheduledActionRule(
    [property: Id(0)] string RuleName,
    [property: Id(1)] IReadOnlyList<ComplianceActionItem> Actions);

/// <summary>
/// One immutable version of a policy. Settings are kept by their Graph property name with the
/// value as JSON text, so the grain is agnostic of the type while the gateway validates names
/// and types against the schema and the evaluator reads them by name.
/// </summary>
[GenerateSerializer, Immutable, Alias("intune.PolicyDefinition")]
public sealed record PolicyDefinition
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required PolicyKind Kind { get; init; }
    /// <summary>The Graph type name without the namespace, e.g. <c>windows10CompliancePolicy</c>.</summary>
    [Id(2)] public required string ODataType { get; init; }
    [Id(3)] public required string DisplayName { get; init; }
    [Id(4)] public string? Description { get; init; }
    [Id(5)] public int Version { get; init; }
    [Id(6)] public DateTimeOffset CreatedDateTime { get; init; }
    [Id(7)] public DateTimeOffset LastModifiedDateTime { get; init; }
    [Id(8)] public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
    [Id(9)] public IReadOnlyList<ScheduledActionRule> ScheduledActions { get; init; } = [];
    /// <summary>Scope tags (beta <c>roleScopeTagIds</c>); null or empty: Default (<c>0</c>).</summary>
    [Id(10)] public IReadOnlyList<string>? RoleScopeTagIds { get; init; }

    /// <summary>The block action of a compliance policy (validated to exist exactly once on create).</summary>
    public ComplianceActionItem? BlockAction =>
        ScheduledActions.SelectMany(r => r.Actions).FirstOrDefault(a => a.ActionType == ComplianceActionType.Block);
}

/// <summary>A change to a policy: only non-null members are applied. Any change makes a new version.</summary>
[GenerateSerializer, Immutable, Alias("intune.PolicyUpdate")]
public sealed record PolicyUpdate
{
    [Id(0)] public string? DisplayName { get; init; }
    [Id(1)] public string? Description { get; init; }
    /// <summary>Settings to set; a null value clears the setting.</summary>
    [Id(2)] public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();
    [Id(3)] public IReadOnlyList<ScheduledActionRule>? ScheduledActions { get; init; }
    /// <summary>Scope tags to set; null leaves them.</summary>
    [Id(4)] public IReadOnlyList<string>? RoleScopeTagIds { get; init; }
}

[GenerateSerializer, Alias("intune.AssignmentTargetKind")]
public enum AssignmentTargetKind
{
    Group = 0,
    ExclusionGroup = 1,
    AllDevices = 2,
    AllLicensedUsers = 3,
}

/// <summary>Graph <c>deviceAndAppManagementAssignmentTarget</c> and its four kinds.</summary>
[GenerateSerializer, Immutable, Alias("intune.AssignmentTarget")]
public sealed record AssignmentTarget(
    [property: Id(0)] AssignmentTargetKind Kind,
    [property: Id(1)] string? GroupId);

[GenerateSerializer, Immutable, Alias("intune.PolicyAssignment")]
public sealed record PolicyAssignment(
    [property: Id(0)] string Id,
    [property: Id(1)] AssignmentTarget Target);

/// <summary>A policy as the tenant's catalog lists it (no device is read to list policies).</summary>
[GenerateSerializer, Immutable, Alias("intune.PolicyCatalogEntry")]
public sealed record PolicyCatalogEntry(
    [property: Id(0)] string PolicyId,
    [property: Id(1)] PolicyKind Kind,
    [property: Id(2)] string ODataType,
    [property: Id(3)] int Version,
    [property: Id(4)] bool HasAssignments,
    [property: Id(5)] IReadOnlyList<AssignmentTarget>? Assignments = null);

/// <summary>
/// The state of one policy on one device, ordered by severity for compliance roll-up:
/// Unknown &lt; NotApplicable &lt; Compliant &lt; InGracePeriod &lt; NonCompliant &lt; Error (docs/architecture.md §9).
/// Conflict is used by configuration profiles only. Remediated (Graph <c>complianceStatus.remediated</c>)
/// is compliant again after failing at the same policy version; it ranks with Compliant, so
/// compare severities with <see cref="PolicyDeviceStates.Worst"/>, not with the numeric value.
/// </summary>
[GenerateSerializer, Alias("intune.PolicyDeviceState")]
public enum PolicyDeviceState
{
    Unknown = 0,
    NotApplicable = 1,
    Compliant = 2,
    InGracePeriod = 3,
    NonCompliant = 4,
    Conflict = 5,
    Error = 6,
    Remediated = 7,
}

/// <summary>The result of one setting of one policy on one device.</summary>
[GenerateSerializer, Immutable, Alias("intune.SettingResult")]
public sealed record SettingResult(
    [property: Id(0)] string Setting,
    [property: Id(1)] PolicyDeviceState State,
    [property: Id(2)] string? Expected,
    [property: Id(3)] string? Actual,
    [property: Id(4)] string? Detail);

/// <summary>What the device grain knows about one of its policies (Graph <c>deviceCompliancePolicyState</c>).</summary>
[GenerateSerializer, Immutable, Alias("intune.DevicePolicyStatus")]
public sealed record DevicePolicyStatus
{
    [Id(0)] public required string PolicyId { get; init; }
    [Id(1)] public required PolicyKind Kind { get; init; }
    [Id(2)] public required string DisplayName { get; init; }
    [Id(3)] public int Version { get; init; }
    [Id(4)] public PolicyDeviceState State { get; init; }
    [Id(5)] public IReadOnlyList<SettingResult> Settings { get; init; } = [];
    [Id(6)] public DateTimeOffset? NoncompliantSince { get; init; }
    [Id(7)] public DateTimeOffset? GracePeriodExpiration { get; init; }
    [Id(8)] public DateTimeOffset LastReportedDateTime { get; init; }
    [Id(9)] public string ODataType { get; init; } = string.Empty;
    /// <summary>When the policy's evaluation on this device started failing (state <see cref="PolicyDeviceState.Error"/>).</summary>
    [Id(10)] public DateTimeOffset? ErrorSince { get; init; }
    /// <summary>
    /// While in error: the state held for the device's roll-up until the error has lasted
    /// <see cref="PolicyDeviceStates.ErrorHoldPeriod"/> (docs/architecture.md §9).
    /// </summary>
    [Id(11)] public PolicyDeviceState? HeldState { get; init; }

    /// <summary>The state this policy contributes to the device's overall compliance.</summary>
    public PolicyDeviceState RollUpState => State == PolicyDeviceState.Error && HeldState is { } held ? held : State;
}

/// <summary>Rules about policy states shared by the device and the reports.</summary>
public static class PolicyDeviceStates
{
    /// <summary>A policy in error keeps the device's previous state this long, then counts as noncompliant (docs/architecture.md §9).</summary>
    public static readonly TimeSpan ErrorHoldPeriod = TimeSpan.FromDays(7);

    /// <summary>The number of states, for counter arrays indexed by state.</summary>
    public static readonly int Count = Enum.GetValues<PolicyDeviceState>().Length;

    /// <summary>Severity for roll-up: Remediated ranks with Compliant (and wins the tie: it is the news).</summary>
    public static int Severity(this PolicyDeviceState state) =>
        state == PolicyDeviceState.Remediated ? (2 * (int)PolicyDeviceState.Compliant) + 1 : 2 * (int)state;

    /// <summary>The most severe of <paramref name="states"/> (Unknown &lt; NotApplicable &lt; Compliant ≤ Remediated &lt; InGracePeriod &lt; NonCompliant &lt; Conflict &lt; Error).</summary>
    public static PolicyDeviceState Worst(this IEnumerable<PolicyDeviceState> states) => states.MaxBy(Severity);

    /// <summary>Succeeded, whether first time or after a fix: both count as success in the overviews.</summary>
    public static bool IsSuccess(this PolicyDeviceState state) => state is PolicyDeviceState.Compliant or PolicyDeviceState.Remediated;
}

/// <summary>A device's status for one policy, pushed to the policy's report on every transition.</summary>
[GenerateSerializer, Immutable, Alias("intune.PolicyStatusReport")]
public sealed record PolicyStatusReport
{
    [Id(0)] public required string DeviceId { get; init; }
    [Id(1)] public string? DeviceName { get; init; }
    [Id(2)] public string? DeviceModel { get; init; }
    [Id(3)] public string? UserPrincipalName { get; init; }
    /// <summary>Null removes the device from the report (no longer assigned).</summary>
    [Id(4)] public PolicyDeviceState? State { get; init; }
    [Id(5)] public DateTimeOffset? GracePeriodExpiration { get; init; }
    [Id(6)] public DateTimeOffset LastReportedDateTime { get; init; }
    [Id(7)] public int Version { get; init; }
}

/// <summary>One row of Graph's <c>deviceStatuses</c> for a policy.</summary>
[GenerateSerializer, Immutable, Alias("intune.PolicyDeviceStatusRow")]
public sealed record PolicyDeviceStatusRow(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] string? DeviceDisplayName,
    [property: Id(2)] string? DeviceModel,
    [property: Id(3)] string? UserPrincipalName,
    [property: Id(4)] PolicyDeviceState State,
    [property: Id(5)] DateTimeOffset? GracePeriodExpiration,
    [property: Id(6)] DateTimeOffset LastReportedDateTime);

/// <summary>One row of Graph's <c>userStatuses</c>: the most severe state over the user's devices.</summary>
[GenerateSerializer, Immutable, Alias("intune.PolicyUserStatusRow")]
public sealed record PolicyUserStatusRow(
    [property: Id(0)] string UserPrincipalName,
    [property: Id(1)] PolicyDeviceState State,
    [property: Id(2)] int DevicesCount,
    [property: Id(3)] DateTimeOffset LastReportedDateTime);

/// <summary>Counters of a policy's report (Graph <c>deviceComplianceDeviceOverview</c> / user overview).</summary>
[GenerateSerializer, Immutable, Alias("intune.PolicyOverview")]
public sealed record PolicyOverview(
    [property: Id(0)] int PendingCount,
    [property: Id(1)] int NotApplicableCount,
    [property: Id(2)] int SuccessCount,
    [property: Id(3)] int ErrorCount,
    [property: Id(4)] int FailedCount,
    [property: Id(5)] int ConflictCount,
    [property: Id(6)] int ConfigurationVersion,
    [property: Id(7)] DateTimeOffset LastUpdateDateTime)
{
    public int Total => PendingCount + NotApplicableCount + SuccessCount + ErrorCount + FailedCount + ConflictCount;
}


/// <summary>A device's result for one delivered configuration setting.</summary>
[GenerateSerializer, Immutable, Alias("intune.SettingReport")]
public sealed record SettingReport(
    [property: Id(0)] string PolicyId,
    [property: Id(1)] string Setting,
    [property: Id(2)] bool Succeeded,
    [property: Id(3)] string? ErrorMessage);

/// <summary>One merged configuration setting: its JSON value and the profiles that set it.</summary>
[GenerateSerializer, Immutable, Alias("intune.DeliveredSetting")]
public sealed record DeliveredSetting(
    [property: Id(0)] string Setting,
    [property: Id(1)] string Value,
    [property: Id(2)] IReadOnlyList<string> PolicyIds);

/// <summary>A setting two or more profiles set to different values on one device: reported, not delivered.</summary>
[GenerateSerializer, Immutable, Alias("intune.SettingConflict")]
public sealed record SettingConflict(
    [property: Id(0)] string Setting,
    [property: Id(1)] IReadOnlyDictionary<string, string> ValuesByPolicyId);
