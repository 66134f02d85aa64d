using Orleans.Concurrency;

namespace Intune.Grains.Devices;

/// <summary>
/// Scatter-gather over a tenant's index partitions, then one page of point reads for the full
/// views: a listing costs 16 in-memory scans and at most <c>$top</c> storage reads, whatever the
/// tenant's size. Runs in the silo because only the silo holds the unit's storage credentials.
/// </summary>
[StatelessWorker]
internal sealed class DeviceQueryGrain(IDeviceCatalog catalog) : Grain, IDeviceQueryGrain
{
    public const int MaxTop = 1000;

    public async Task<DeviceQueryResult> QueryAsync(string tenantId, DeviceQuery query)
    {
        query = query with { Top = Math.Clamp(query.Top, 0, MaxTop) };
        var pages = await Task.WhenAll(Enumerable.Range(0, DeviceIndexPartitions.Count)
            .Select(p => GrainFactory.GetGrain<IDeviceIndexGrain>(DeviceIndexPartitions.Key(tenantId, p)).QueryAsync(query)));
        var merged = DeviceIndex.Merge(pages, query);
        var views = merged.Rows.Count == 0
            ? []
            : await catalog.GetManyAsync(tenantId, merged.Rows.Select(r => r.Id).ToList());
        var next = merged.HasMore && merged.Rows.Count > 0 ? DeviceIndex.KeysetOf(merged.Rows[^1]) : null;
        return new DeviceQueryResult(views, next, merged.Count);
    }
}
