using System.Collections.Concurrent;
using System.Threading.Channels;
using Intune.Grains.Delivery;
using Intune.Grains.Devices;
using Intune.Grains.Tenants;
using Microsoft.Extensions.Logging;

namespace Intune.DeviceGateway.Grpc;

/// <summary>
/// The Listen streams open on this gateway, by tenant. The gateway subscribes to each such
/// tenant's assignment version and, when it moves, nudges that tenant's connected devices itself
/// (no Device grain is activated for it), paced to <see cref="NudgesPerSecond"/> so the check-ins
/// they cause arrive at a rate the unit absorbs. A device that misses a nudge (its stream was
/// reconnecting) gets the change at its next scheduled check-in.
/// </summary>
internal sealed class ConnectedDevices(TimeProvider time, ILogger<ConnectedDevices> logger) : IDeliveryObserver
{
    /// <summary>
    /// Nudges sent per second per gateway: below the not-modified check-in rate a unit measured
    /// (docs/benchmarks.md), so a nudge wave does not turn into timeouts and retries.
    /// </summary>
    internal const int NudgesPerSecond = 2000;

    private static readonly TimeSpan PaceStep = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentDictionary<string, TenantStreams> _tenants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<IGrainFactory, IDeliveryObserver> _references = new(ReferenceEqualityComparer.Instance);
    private readonly SemaphoreSlim _pace = new(1, 1);

    /// <summary>Registers an open stream; dispose to unregister. Subscribes to the tenant on its first stream.</summary>
    public async Task<IDisposable> RegisterAsync(IGrainFactory grains, string tenantId, string deviceId, ChannelWriter<DeviceNudge> writer)
    {
        var tenant = _tenants.GetOrAdd(tenantId, _ => new TenantStreams(grains));
        tenant.Devices[deviceId] = writer;
        await RenewAsync(tenantId);
        return new Registration(this, tenantId, deviceId, writer);
    }

    /// <summary>Renews the tenant's subscription when due; called from every stream's lease renewal, so it stays alive while any stream is open.</summary>
    public async Task RenewAsync(string tenantId)
    {
        if (!_tenants.TryGetValue(tenantId, out var tenant) || time.GetUtcNow() - tenant.SubscribedAt < DeliverySubscription.Renewal)
        {
            return;
        }

        tenant.SubscribedAt = time.GetUtcNow();
        try
        {
            var version = await tenant.Grains.GetGrain<ITenantComplianceGrain>(tenantId).SubscribeDeliveryAsync(Reference(tenant.Grains));
            // The first answer sets the baseline; a later one that moved means a notification was lost.
            if (Interlocked.Exchange(ref tenant.Version, version) is var previous && previous >= 0 && version > previous)
            {
                _ = NudgeAsync(tenantId, tenant);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            tenant.SubscribedAt = default;
            logger.LogWarning(ex, "Tenant {TenantId}: subscribing to assignment changes failed; the next renewal tries again", tenantId);
        }
    }

    public Task DeliveryVersionChangedAsync(string tenantId, long version)
    {
        if (_tenants.TryGetValue(tenantId, out var tenant) && Interlocked.Exchange(ref tenant.Version, version) < version)
        {
            _ = NudgeAsync(tenantId, tenant);
        }

        return Task.CompletedTask;
    }

    /// <summary>How many streams are open, for tests and metrics.</summary>
    public int Count => _tenants.Values.Sum(t => t.Devices.Count);

    private IDeliveryObserver Reference(IGrainFactory grains) => _references.GetOrAdd(grains, g => g.CreateObjectReference<IDeliveryObserver>(this));

    /// <summary>Nudges every connected device of the tenant, in steps of <see cref="NudgesPerSecond"/> × <see cref="PaceStep"/>, one wave at a time per gateway.</summary>
    private async Task NudgeAsync(string tenantId, TenantStreams tenant)
    {
        await _pace.WaitAsync();
        try
        {
            var perStep = Math.Max(1, (int)(NudgesPerSecond * PaceStep.TotalSeconds));
            var writers = tenant.Devices.Values.ToList();
            logger.LogInformation("Tenant {TenantId}: assignment version {Version}; nudging {Devices} connected devices", tenantId, tenant.Version, writers.Count);
            for (var i = 0; i < writers.Count; i += perStep)
            {
                foreach (var writer in writers.Skip(i).Take(perStep))
                {
                    writer.TryWrite(new DeviceNudge("assignment", 1));
                }

                if (i + perStep < writers.Count)
                {
                    await Task.Delay(PaceStep, time);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogWarning(ex, "Tenant {TenantId}: nudging connected devices failed; they get the change at their next check-in", tenantId);
        }
        finally
        {
            _pace.Release();
        }
    }

    private void Unregister(string tenantId, string deviceId, ChannelWriter<DeviceNudge> writer)
    {
        if (_tenants.TryGetValue(tenantId, out var tenant))
        {
            // Only this stream's entry: a reconnect of the same device may have replaced it.
            tenant.Devices.TryRemove(new KeyValuePair<string, ChannelWriter<DeviceNudge>>(deviceId, writer));
        }
    }

    private sealed class TenantStreams(IGrainFactory grains)
    {
        public IGrainFactory Grains { get; } = grains;
        public ConcurrentDictionary<string, ChannelWriter<DeviceNudge>> Devices { get; } = new(StringComparer.Ordinal);
        public DateTimeOffset SubscribedAt { get; set; } = DateTimeOffset.MinValue;
        public long Version = -1;
    }

    private sealed class Registration(ConnectedDevices owner, string tenantId, string deviceId, ChannelWriter<DeviceNudge> writer) : IDisposable
    {
        public void Dispose() => owner.Unregister(tenantId, deviceId, writer);
    }
}
