using Intune.Grains.Devices;

namespace Intune.Testing.InMemory;

/// <summary>Keeps the catalog in memory: for grain unit tests.</summary>
public sealed class InMemoryDeviceCatalog(TimeProvider time) : IDeviceCatalog
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), (ManagedDeviceView View, long Version)> _devices = new();

    public Task<long> UpsertAsync(ManagedDeviceView device, CancellationToken cancellationToken = default)
    {
        var version = time.GetUtcNow().UtcTicks;
        _devices[(device.TenantId, device.Id)] = (device, version);
        return Task.FromResult(version);
    }

    public Task<long> UpsertManyAsync(IReadOnlyList<ManagedDeviceView> devices, CancellationToken cancellationToken = default)
    {
        var version = time.GetUtcNow().UtcTicks;
        foreach (var device in devices)
        {
            _devices[(device.TenantId, device.Id)] = (device, version);
        }

        return Task.FromResult(version);
    }

    public Task<long> RemoveAsync(string tenantId, string deviceId, CancellationToken cancellationToken = default)
    {
        _devices.TryRemove((tenantId, deviceId), out _);
        return Task.FromResult(time.GetUtcNow().UtcTicks);
    }

    public Task<IReadOnlyList<DeviceIndexRow>> LoadIndexPartitionAsync(string tenantId, int partition, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<DeviceIndexRow>>(_devices.Values
            .Where(d => d.View.TenantId == tenantId && DeviceIndexPartitions.Of(d.View.Id) == partition)
            .Select(d => DeviceIndex.RowOf(d.View, d.Version))
            .ToList());

    public Task<IReadOnlyList<CatalogEntry>> GetManyAsync(string tenantId, IReadOnlyList<string> deviceIds, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<CatalogEntry>>(deviceIds
            .Select(id => _devices.TryGetValue((tenantId, id), out var d) ? new CatalogEntry(d.View, d.Version) : (CatalogEntry?)null)
            .OfType<CatalogEntry>()
            .ToList());

    public Task<ManagedDevicePage> ListAsync(string tenantId, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        var ordered = _devices.Values.Select(d => d.View).Where(d => d.TenantId == tenantId).OrderBy(d => d.Id, StringComparer.Ordinal);
        var after = continuationToken is null ? ordered : ordered.Where(d => string.CompareOrdinal(d.Id, continuationToken) > 0);
        var page = after.Take(pageSize + 1).ToList();
        var more = page.Count > pageSize;
        var devices = page.Take(pageSize).ToList();
        return Task.FromResult(new ManagedDevicePage(devices, more ? devices[^1].Id : null));
    }
}
