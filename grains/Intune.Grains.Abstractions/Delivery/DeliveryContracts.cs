using Intune.Grains.Policies;
using Intune.Grains.Tenants;

namespace Intune.Grains.Delivery;

/// <summary>
/// Something that reaches devices by assignment: a compliance policy or configuration profile
/// today (apps next), named by its kind, its current version and whom it is assigned to. Devices
/// pick up what applies to them at check-in; assigning one writes no device.
/// </summary>
[GenerateSerializer, Immutable, Alias("intune.Deliverable")]
public sealed record Deliverable(
    [property: Id(0)] string Id,
    [property: Id(1)] PolicyKind Kind,
    [property: Id(2)] int Version,
    [property: Id(3)] IReadOnlyList<AssignmentTarget> Assignments);

/// <summary>
/// The tenant's assignment facts at one version: every assigned deliverable, the compliance
/// settings and, for each targeted group, the version of its membership (so a cache refetches
/// only the groups that changed). The version moves with any change a device could see.
/// </summary>
[GenerateSerializer, Immutable, Alias("intune.DeliverySnapshot")]
public sealed record DeliverySnapshot(
    [property: Id(0)] long Version,
    [property: Id(1)] ComplianceSettings Settings,
    [property: Id(2)] IReadOnlyList<Deliverable> Deliverables,
    [property: Id(3)] IReadOnlyDictionary<string, long> GroupVersions);

/// <summary>
/// Told when a tenant's assignment version moves: the silos' delivery caches (which then reload
/// before the next check-in) and the device gateways (which nudge the connected devices).
/// </summary>
[Alias("intune.IDeliveryObserver")]
public interface IDeliveryObserver : IGrainObserver
{
    [Alias("DeliveryVersionChangedAsync")]
    Task DeliveryVersionChangedAsync(string tenantId, long version);
}

/// <summary>How long a subscription to a tenant's assignment changes lasts unless renewed.</summary>
public static class DeliverySubscription
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(3);

    public static readonly TimeSpan Renewal = TimeSpan.FromMinutes(1);
}
