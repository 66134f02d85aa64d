using Intune.Grains.Delivery;
using Intune.Grains.Devices;
using Intune.Grains.Groups;
using Intune.Grains.Policies;

namespace Intune.Grains.Tenants;

/// <summary>Graph <c>deviceManagementSettings</c>: the tenant's compliance settings.</summary>
[GenerateSerializer, Immutable, Alias("intune.ComplianceSettings")]
public sealed record ComplianceSettings(
    [property: Id(0)] int DeviceComplianceCheckinThresholdDays,
    [property: Id(1)] bool SecureByDefault,
    [property: Id(2)] bool IsScheduledActionEnabled)
{
    public const int MinimumThresholdDays = 1;
    public const int MaximumThresholdDays = 120;

    public static readonly ComplianceSettings Default = new(30, false, true);
}

[GenerateSerializer, Alias("intune.RetireRequestState")]
public enum RetireRequestState
{
    Pending = 0,
    Confirmed = 1,
    Dismissed = 2,
}

/// <summary>A device that a compliance action put on the retire (or wipe) list for an admin to confirm.</summary>
[GenerateSerializer, Immutable, Alias("intune.RetireRequest")]
public sealed record RetireRequest(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] string PolicyId,
    [property: Id(2)] ComplianceActionType Action,
    [property: Id(3)] DateTimeOffset RequestedDateTime,
    [property: Id(4)] RetireRequestState State,
    [property: Id(5)] DateTimeOffset? DecidedDateTime);

/// <summary>
/// The tenant's compliance side (implemented by the Tenant grain): settings, the catalog of
/// policies and groups (so listing never reads devices), the assignment facts devices pick up at
/// check-in (through each silo's cache, so the tenant is not on the check-in path) and the retire list.
/// </summary>
[Alias("intune.ITenantComplianceGrain")]
public interface ITenantComplianceGrain : IGrainWithStringKey
{
    [Alias("GetSettingsAsync")]
    Task<ComplianceSettings> GetSettingsAsync();

    /// <summary>Validates and stores the settings and moves the assignment version; devices pick them up at check-in.</summary>
    [Alias("UpdateSettingsAsync")]
    Task<ComplianceSettings> UpdateSettingsAsync(int? thresholdDays, bool? secureByDefault, bool? isScheduledActionEnabled);

    /// <summary>The assignment facts at the current version (read by the silos' delivery caches, not by devices).</summary>
    [Alias("GetDeliverySnapshotAsync")]
    Task<DeliverySnapshot> GetDeliverySnapshotAsync();

    /// <summary>Subscribes (or renews) for <see cref="DeliverySubscription.Lifetime"/>; returns the current version.</summary>
    [Alias("SubscribeDeliveryAsync")]
    Task<long> SubscribeDeliveryAsync(IDeliveryObserver observer);

    [Alias("UnsubscribeDeliveryAsync")]
    Task UnsubscribeDeliveryAsync(IDeliveryObserver observer);

    /// <summary>A group some deliverable targets changed its members: one write, a new version.</summary>
    [Alias("TargetedGroupChangedAsync")]
    Task TargetedGroupChangedAsync(string groupId);

    /// <summary>
    /// Refuses (InvalidRequest, naming the limit) when the catalog has no room for the entry with
    /// that many assignment targets; asked before the deliverable writes its own row, so a full
    /// catalog leaves nothing half-made. <see cref="UpsertPolicyAsync"/> checks again.
    /// </summary>
    [Alias("EnsureCatalogHasRoomAsync")]
    Task EnsureCatalogHasRoomAsync(string entryId, int assignmentTargets);

    [Alias("UpsertPolicyAsync")]
    Task UpsertPolicyAsync(PolicyCatalogEntry entry);

    [Alias("RemovePolicyAsync")]
    Task RemovePolicyAsync(string policyId);

    [Alias("ListPoliciesAsync")]
    Task<IReadOnlyList<PolicyCatalogEntry>> ListPoliciesAsync(PolicyKind kind);

    [Alias("AddGroupAsync")]
    Task AddGroupAsync(string groupId);

    [Alias("RemoveGroupAsync")]
    Task RemoveGroupAsync(string groupId);

    [Alias("ListGroupsAsync")]
    Task<IReadOnlyList<string>> ListGroupsAsync();

    /// <summary>
    /// Lists a compliance action's retire or wipe for an admin to decide (once per device while
    /// pending). False when the tenant already holds its maximum of pending requests: nothing is
    /// recorded, and the device asks again at a later evaluation.
    /// </summary>
    [Alias("RequestRetireAsync")]
    Task<bool> RequestRetireAsync(RetireRequest request);

    [Alias("ListRetireRequestsAsync")]
    Task<IReadOnlyList<RetireRequest>> ListRetireRequestsAsync();

    /// <summary>An admin's decision on a pending request; false when no pending request exists for the device.</summary>
    [Alias("DecideRetireAsync")]
    Task<bool> DecideRetireAsync(string deviceId, bool confirm);
}

/// <summary>Graph <c>deviceCompliancePolicyDeviceStateSummary</c> and <c>deviceConfigurationDeviceStateSummary</c> counters.</summary>
[GenerateSerializer, Immutable, Alias("intune.DeviceStateSummary")]
public sealed record DeviceStateSummary(
    [property: Id(0)] int UnknownDeviceCount,
    [property: Id(1)] int NotApplicableDeviceCount,
    [property: Id(2)] int CompliantDeviceCount,
    [property: Id(3)] int InGracePeriodCount,
    [property: Id(4)] int NonCompliantDeviceCount,
    [property: Id(5)] int ErrorDeviceCount,
    [property: Id(6)] int ConflictDeviceCount)
{
    /// <summary>Devices compliant again after failing (counted here instead of in <see cref="CompliantDeviceCount"/>).</summary>
    [Id(7)] public int RemediatedDeviceCount { get; init; }
}

/// <summary>
/// Tenant-wide device state counters, keyed by tenant id. Devices report transitions only, so
/// the summary is exact without reading devices.
/// </summary>
[Alias("intune.IDeviceStateSummaryGrain")]
public interface IDeviceStateSummaryGrain : IGrainWithStringKey
{
    /// <summary>Moves one device from one state to another (null: not counted before / no longer).</summary>
    [Alias("TransitionAsync")]
    Task TransitionAsync(PolicyKind kind, PolicyDeviceState? from, PolicyDeviceState? to);

    [Alias("GetAsync")]
    Task<DeviceStateSummary> GetAsync(PolicyKind kind);
}
