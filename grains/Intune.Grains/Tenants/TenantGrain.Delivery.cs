using Intune.Grains.Delivery;

namespace Intune.Grains.Tenants;

/// <summary>
/// The tenant's assignment facts as one versioned record: every change a device could see
/// (a deliverable created, changed, assigned or removed, a targeted group's members, the
/// compliance settings) is one write of this grain and one new version, announced to the
/// subscribed silo caches and device gateways. No device is written or called here.
/// </summary>
internal sealed partial class TenantGrain
{
    private readonly Dictionary<IDeliveryObserver, DateTimeOffset> _deliveryObservers = [];

    public Task<DeliverySnapshot> GetDeliverySnapshotAsync() => Task.FromResult(new DeliverySnapshot(
        State.DeliveryVersion,
        Settings,
        State.Policies.Values
            .Where(p => p.Assignments is { Count: > 0 })
            .Select(p => new Deliverable(p.PolicyId, p.Kind, p.Version, p.Assignments!))
            .ToList(),
        new Dictionary<string, long>(State.GroupVersions, StringComparer.Ordinal)));

    public Task<long> SubscribeDeliveryAsync(IDeliveryObserver observer)
    {
        _deliveryObservers[observer] = time.GetUtcNow() + DeliverySubscription.Lifetime;
        return Task.FromResult(State.DeliveryVersion);
    }

    public Task UnsubscribeDeliveryAsync(IDeliveryObserver observer)
    {
        _deliveryObservers.Remove(observer);
        return Task.CompletedTask;
    }

    public async Task TargetedGroupChangedAsync(string groupId)
    {
        State.GroupVersions[groupId] = State.DeliveryVersion + 1;
        await SaveDeliveryChangeAsync();
    }

    /// <summary>
    /// Keeps a membership version for exactly the groups some deliverable targets, before a
    /// delivery change is saved. A group that starts being targeted gets the new delivery version
    /// (never handed out before), so a cache that held its members from an earlier targeting
    /// fetches them again: members that joined while nothing targeted the group were announced to
    /// no one. Versions are delivery versions, unique and increasing, so dropping a group's entry
    /// when it stops being targeted cannot hand a cache an old number again; the entries stay as
    /// many as the targeted groups (bounded with the catalog's assignment targets).
    /// </summary>
    private void TrackTargetedGroups()
    {
        var targeted = State.Policies.Values
            .SelectMany(p => p.Assignments ?? [])
            .Where(a => a.GroupId is not null)
            .Select(a => a.GroupId!)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var untargeted in State.GroupVersions.Keys.Where(g => !targeted.Contains(g)).ToList())
        {
            State.GroupVersions.Remove(untargeted);
        }

        foreach (var groupId in targeted)
        {
            State.GroupVersions.TryAdd(groupId, State.DeliveryVersion + 1);
        }
    }

    /// <summary>Stores the change with a new version, then tells the subscribers.</summary>
    private async Task SaveDeliveryChangeAsync()
    {
        State.DeliveryVersion++;
        await SaveAsync();
        await PublishDeliveryAsync();
    }

    /// <summary>
    /// Tells every live subscriber the new version and waits for the answers (each only records
    /// the version, so a check-in right after the admin call sees it). A subscriber that fails or
    /// is slow is dropped: it renews, and renewing returns the current version.
    /// </summary>
    private async Task PublishDeliveryAsync()
    {
        var now = time.GetUtcNow();
        var version = State.DeliveryVersion;
        foreach (var expired in _deliveryObservers.Where(o => o.Value <= now).Select(o => o.Key).ToList())
        {
            _deliveryObservers.Remove(expired);
        }

        var failed = await Task.WhenAll(_deliveryObservers.Keys.ToList().Select(async observer =>
        {
            try
            {
                await observer.DeliveryVersionChangedAsync(TenantId, version).WaitAsync(PublishTimeout);
                return null;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return observer;
            }
        }));
        foreach (var observer in failed.OfType<IDeliveryObserver>())
        {
            _deliveryObservers.Remove(observer);
        }
    }

    /// <summary>Real time on purpose: a subscriber whose process is gone must not hold the admin call.</summary>
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(2);
}
