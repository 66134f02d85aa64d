using System.Collections.Concurrent;
using Intune.Grains.Devices;

namespace Intune.Testing.InMemory;

/// <summary>The hardware index in memory: for grain unit tests.</summary>
public sealed class InMemoryHardwareIndexStore(TimeProvider time) : IHardwareIndexStore
{
    private readonly ConcurrentDictionary<(string Tenant, string Key, string Device), DateTimeOffset> _claims = new();

    public Task ClaimAsync(string tenantId, string deviceId, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        foreach (var key in keys)
        {
            _claims[(tenantId, key, deviceId)] = time.GetUtcNow();
        }

        return Task.CompletedTask;
    }

    public Task ReleaseAsync(string tenantId, string deviceId, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        foreach (var key in keys)
        {
            _claims.TryRemove((tenantId, key, deviceId), out _);
        }

        return Task.CompletedTask;
    }

    public Task<string?> FindAsync(string tenantId, string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(_claims
            .Where(c => c.Key.Tenant == tenantId && c.Key.Key == key)
            .OrderByDescending(c => c.Value)
            .Select(c => c.Key.Device)
            .FirstOrDefault());
}
