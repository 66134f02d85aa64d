using Intune.Grains.Policies;
using Intune.Grains.Tenants;
using Orleans.Concurrency;

namespace Intune.Grains.Devices;

/// <summary>A compliance notification (email or push) recorded when a policy's action fired.</summary>
[GenerateSerializer, Immutable, Alias("intune.ComplianceNotification")]
public sealed record ComplianceNotification(
    [property: Id(0)] string PolicyId,
    [property: Id(1)] ComplianceActionType Action,
    [property: Id(2)] string? NotificationTemplateId,
    [property: Id(3)] IReadOnlyList<string> CcList,
    [property: Id(4)] string Message,
    [property: Id(5)] DateTimeOffset SentDateTime);

/// <summary>The answer to a conditional-access or network-access-control question about one device.</summary>
[GenerateSerializer, Immutable, Alias("intune.AccessVerdict")]
public sealed record AccessVerdict(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] bool IsManaged,
    [property: Id(2)] bool IsCompliant,
    [property: Id(3)] ComplianceState ComplianceState,
    [property: Id(4)] ManagementState ManagementState,
    [property: Id(5)] DateTimeOffset LastSyncDateTime);

/// <summary>
/// The compliance and configuration side of a device (implemented by the Device grain, keyed
/// <c>tenantId/deviceId</c> like <see cref="IDeviceGrain"/>).
/// </summary>
[Alias("intune.IDeviceComplianceGrain")]
public interface IDeviceComplianceGrain : IGrainWithStringKey
{
    /// <summary>The device's enrolled user was deleted (false) or restored (true).</summary>
    [Alias("ApplyEnrolledUserExistsAsync")]
    Task ApplyEnrolledUserExistsAsync(bool exists);

    /// <summary>
    /// A user other than the enrolled one was associated with this device (true) or no longer is
    /// (false); deliverables targeting that user reach the device from its next check-in.
    /// </summary>
    [Alias("SetUserAssociatedAsync")]
    Task SetUserAssociatedAsync(string userPrincipalName, bool associated);

    [Alias("GetPolicyStatusesAsync")]
    Task<IReadOnlyList<DevicePolicyStatus>> GetPolicyStatusesAsync(PolicyKind kind);

    [Alias("GetNotificationsAsync")]
    Task<IReadOnlyList<ComplianceNotification>> GetNotificationsAsync();

    /// <summary>Is the device managed and compliant; null when no device is enrolled under this key.</summary>
    [Alias("GetAccessVerdictAsync")]
    Task<AccessVerdict?> GetAccessVerdictAsync();

    /// <summary>
    /// Takes the device out of every policy report and the tenant summaries and drops its
    /// hardware index entries and wake-up reminder: for the lifecycle code to call when a device
    /// is retired, wiped or deleted.
    /// </summary>
    [Alias("RemoveFromComplianceAsync")]
    Task RemoveFromComplianceAsync();

    /// <summary>Runs due deadlines (grace expiry, scheduled actions, validity); the timer and reminder call this.</summary>
    [Alias("RunDueDeadlinesAsync")]
    Task RunDueDeadlinesAsync();
}

/// <summary>
/// Holds the wake-up reminder of one device's compliance deadlines (keyed like the device), so
/// the Device grain needs no reminder plumbing of its own and a deactivated device still fires.
/// </summary>
[Alias("intune.IComplianceDeadlineGrain")]
public interface IComplianceDeadlineGrain : IGrainWithStringKey
{
    /// <summary>Wakes the device at <paramref name="wake"/> and then daily while <paramref name="daily"/>; neither: no reminder.</summary>
    /// <remarks>
    /// Interleaves: the device calls this from its own deadline run, which the reminder may have
    /// started — the reminder tick waits on the device while the device waits on this call.
    /// </remarks>
    [AlwaysInterleave]
    [Alias("ScheduleAsync")]
    Task ScheduleAsync(DateTimeOffset? wake, bool daily);
}

/// <summary>
/// The tenant's compliance validity sweep (keyed by tenant id): devices that stop checking in turn
/// noncompliant after the tenant's validity period without a reminder each. One reminder per
/// tenant runs the sweep every <c>Period</c>; each sweep asks the device index for the devices
/// whose validity ran out since the previous one and lets each work out its own deadlines.
/// </summary>
[Alias("intune.IComplianceSweepGrain")]
public interface IComplianceSweepGrain : IGrainWithStringKey
{
    /// <summary>Registers the sweep's reminder unless it already is (called as the tenant activates); interleaves, so enrollments never queue on it.</summary>
    [AlwaysInterleave]
    [Alias("EnsureScheduledAsync")]
    Task EnsureScheduledAsync();

    /// <summary>Sweeps now (the reminder's work); returns how many devices it asked to check their deadlines.</summary>
    [Alias("SweepAsync")]
    Task<int> SweepAsync();
}
