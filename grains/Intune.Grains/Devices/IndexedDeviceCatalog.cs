namespace Intune.Grains.Devices;

/// <summary>
/// The catalog as grains see it: every write to storage is followed by a one-way update of the
/// tenant's in-memory index partition, so whoever writes the catalog (enrollment, check-in,
/// retire, delete) keeps the index current without knowing it exists.
/// </summary>
public sealed class IndexedDeviceCatalog(IDeviceCatalog inner, IGrainFactory grains) : IDeviceCatalog
{
    public async Task<long> UpsertAsync(ManagedDeviceView device, CancellationToken cancellationToken = default)
    {
        var version = await inner.UpsertAsync(device, cancellationToken);
        await Partition(device.TenantId, device.Id).UpsertAsync(DeviceIndex.RowOf(device, version));
        return version;
    }

    public async Task<long> UpsertManyAsync(IReadOnlyList<ManagedDeviceView> devices, CancellationToken cancellationToken = default)
    {
        var version = await inner.UpsertManyAsync(devices, cancellationToken);
        foreach (var partition in devices.GroupBy(d => (d.TenantId, Partition: DeviceIndexPartitions.Of(d.Id))))
        {
            await Partition(partition.Key.TenantId, partition.Key.Partition).UpsertManyAsync(partition.Select(d => DeviceIndex.RowOf(d, version)).ToList());
        }

        return version;
    }

    public async Task<long> RemoveAsync(string tenantId, string deviceId, CancellationToken cancellationToken = default)
    {
        var version = await inner.RemoveAsync(tenantId, deviceId, cancellationToken);
        await Partition(tenantId, deviceId).RemoveAsync(deviceId, version);
        return version;
    }

    public Task<ManagedDevicePage> ListAsync(string tenantId, int pageSize, string? continuationToken, CancellationToken cancellationToken = default) =>
        inner.ListAsync(tenantId, pageSize, continuationToken, cancellationToken);

    public Task<IReadOnlyList<DeviceIndexRow>> LoadIndexPartitionAsync(string tenantId, int partition, CancellationToken cancellationToken = default) =>
        inner.LoadIndexPartitionAsync(tenantId, partition, cancellationToken);

    public Task<IReadOnlyList<CatalogEntry>> GetManyAsync(string tenantId, IReadOnlyList<string> deviceIds, CancellationToken cancellationToken = default) =>
        inner.GetManyAsync(tenantId, deviceIds, cancellationToken);

    private IDeviceIndexGrain Partition(string tenantId, string deviceId) => Partition(tenantId, DeviceIndexPartitions.Of(deviceId));

    private IDeviceIndexGrain Partition(string tenantId, int partition) =>
        grains.GetGrain<IDeviceIndexGrain>(DeviceIndexPartitions.Key(tenantId, partition));
}
