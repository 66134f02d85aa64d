using System.Collections.Concurrent;
using Intune.Grains.Groups;
using Intune.Grains.Policies;
using Intune.Grains.Tenants;
using Microsoft.Extensions.Logging;

namespace Intune.Grains.Delivery;

/// <summary>One tenant's assignment facts as a silo holds them: bodies by version and targeted groups' members.</summary>
public sealed record TenantDeliveries(
    long Version,
    ComplianceSettings Settings,
    IReadOnlyDictionary<string, (Deliverable Deliverable, PolicyDefinition Body)> Deliverables,
    IReadOnlyDictionary<string, GroupMembership> Groups)
{
    public static readonly TenantDeliveries None = new(-1, ComplianceSettings.Default, new Dictionary<string, (Deliverable, PolicyDefinition)>(), new Dictionary<string, GroupMembership>());

    /// <summary>Assigned apps' delivery bodies by app id (deliverables of kind <see cref="PolicyKind.MobileApp"/>; docs/apps.md).</summary>
    public IReadOnlyDictionary<string, Apps.MobileAppDelivery> Apps { get; init; } = new Dictionary<string, Apps.MobileAppDelivery>();

    /// <summary>Assigned app configurations by id (kind <see cref="PolicyKind.AppConfiguration"/>), delivered with the apps they target.</summary>
    public IReadOnlyDictionary<string, Apps.AppConfigurationDefinition> AppConfigurations { get; init; } = new Dictionary<string, Apps.AppConfigurationDefinition>();

    /// <summary>Bytes of membership held (the bulk of the cache).</summary>
    public long MembershipBytes => Groups.Values.Sum(g => g.Devices.Bytes + g.Users.Bytes);
}

/// <summary>
/// Per silo: what devices need to compute their effective set at check-in, so a check-in never
/// calls the tenant, a policy or a group. Subscribed to each tenant's assignment version; a move
/// marks the tenant stale and the next check-in on this silo reloads it once (only the bodies and
/// groups whose versions moved). Empty after a restart or on a joining silo: the first check-in
/// of a tenant loads it from the grains, which read storage.
/// </summary>
public sealed class DeliveryCache(IGrainFactory grains, TimeProvider time, ILogger<DeliveryCache> logger) : IDeliveryObserver
{
    private readonly ConcurrentDictionary<string, Entry> _tenants = new(StringComparer.Ordinal);
    private IDeliveryObserver? _self;

    public async Task<TenantDeliveries> GetAsync(string tenantId)
    {
        var entry = _tenants.GetOrAdd(tenantId, _ => new Entry());
        Task<TenantDeliveries> loading;
        lock (entry)
        {
            if (entry.Loaded is { } loaded && loaded.Version >= entry.Latest)
            {
                if (time.GetUtcNow() - entry.SubscribedAt >= DeliverySubscription.Renewal && entry.Loading is null)
                {
                    // Renewing also repairs a lost notification: the answer is the current version.
                    entry.Loading = Task.Run(() => LoadAsync(tenantId, entry));
                }

                return loaded;
            }

            entry.Loading ??= Task.Run(() => LoadAsync(tenantId, entry));
            loading = entry.Loading;
        }

        return await loading;
    }

    public Task DeliveryVersionChangedAsync(string tenantId, long version)
    {
        var entry = _tenants.GetOrAdd(tenantId, _ => new Entry());
        lock (entry)
        {
            entry.Latest = Math.Max(entry.Latest, version);
        }

        return Task.CompletedTask;
    }

    private IDeliveryObserver Self => _self ??= grains.CreateObjectReference<IDeliveryObserver>(this);

    private async Task<TenantDeliveries> LoadAsync(string tenantId, Entry entry)
    {
        try
        {
            var tenant = grains.GetGrain<ITenantComplianceGrain>(tenantId);
            var subscribedAt = time.GetUtcNow();
            // Subscribed before reading, so a change in between is announced rather than missed.
            await tenant.SubscribeDeliveryAsync(Self);
            var snapshot = await tenant.GetDeliverySnapshotAsync();
            TenantDeliveries previous;
            lock (entry)
            {
                previous = entry.Loaded ?? TenantDeliveries.None;
            }

            var deliverables = new Dictionary<string, (Deliverable, PolicyDefinition)>(StringComparer.Ordinal);
            var apps = new Dictionary<string, Apps.MobileAppDelivery>(StringComparer.Ordinal);
            foreach (var app in await Task.WhenAll(snapshot.Deliverables.Where(d => d.Kind == PolicyKind.MobileApp).Select(async d =>
                previous.Apps.TryGetValue(d.Id, out var held) && held.Version == d.Version
                    ? held
                    : await grains.GetGrain<Apps.IMobileAppGrain>(GrainKeys.Scoped(tenantId, d.Id)).GetDeliveryAsync())))
            {
                if (app is not null)
                {
                    apps[app.AppId] = app;
                }
            }

            var configurations = new Dictionary<string, Apps.AppConfigurationDefinition>(StringComparer.Ordinal);
            foreach (var configuration in await Task.WhenAll(snapshot.Deliverables.Where(d => d.Kind == PolicyKind.AppConfiguration).Select(async d =>
                previous.AppConfigurations.TryGetValue(d.Id, out var held) && held.Version == d.Version
                    ? held
                    : await grains.GetGrain<Apps.IAppConfigurationGrain>(GrainKeys.Scoped(tenantId, d.Id)).GetAsync())))
            {
                if (configuration is not null)
                {
                    configurations[configuration.Id] = configuration;
                }
            }

            foreach (var (deliverable, body) in await Task.WhenAll(snapshot.Deliverables.Where(d => d.Kind is not (PolicyKind.MobileApp or PolicyKind.AppConfiguration)).Select(async d =>
                (d, previous.Deliverables.TryGetValue(d.Id, out var held) && held.Body.Version == d.Version
                    ? held.Body
                    : await grains.GetGrain<IPolicyGrain>(GrainKeys.Scoped(tenantId, d.Id)).GetAsync()))))
            {
                if (body is not null)
                {
                    deliverables[deliverable.Id] = (deliverable, body);
                }
            }

            var groups = new Dictionary<string, GroupMembership>(StringComparer.Ordinal);
            var groupIds = snapshot.Deliverables.SelectMany(d => d.Assignments).Where(a => a.GroupId is not null).Select(a => a.GroupId!).Distinct(StringComparer.Ordinal);
            foreach (var (id, membership) in await Task.WhenAll(groupIds.Select(async id =>
            {
                var version = snapshot.GroupVersions.GetValueOrDefault(id);
                if (previous.Groups.TryGetValue(id, out var held) && held.Version == version)
                {
                    return (id, held);
                }

                var members = await grains.GetGrain<IGroupGrain>(GrainKeys.Scoped(tenantId, id)).GetMembersAsync();
                return (id, new GroupMembership(version, CompactMemberSet.From(members.Devices), CompactMemberSet.From(members.Users)));
            })))
            {
                groups[id] = membership;
            }

            var loaded = new TenantDeliveries(snapshot.Version, snapshot.Settings, deliverables, groups) { Apps = apps, AppConfigurations = configurations };
            lock (entry)
            {
                entry.Loaded = loaded;
                entry.Latest = Math.Max(entry.Latest, snapshot.Version);
                entry.SubscribedAt = subscribedAt;
                entry.Loading = null;
            }

            logger.LogDebug("Tenant {TenantId}: delivery version {Version} cached ({Deliverables} deliverables, {Bytes} bytes of membership)", tenantId, loaded.Version, deliverables.Count, loaded.MembershipBytes);
            return loaded;
        }
        catch (Exception ex)
        {
            lock (entry)
            {
                entry.Loading = null;
            }

            logger.LogWarning(ex, "Tenant {TenantId}: loading the delivery cache failed", tenantId);
            throw;
        }
    }

    private sealed class Entry
    {
        /// <summary>The newest version announced (or read); a loaded version below it is stale.</summary>
        public long Latest = -1;
        public TenantDeliveries? Loaded;
        public Task<TenantDeliveries>? Loading;
        public DateTimeOffset SubscribedAt;
    }
}
