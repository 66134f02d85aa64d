using Orleans.Concurrency;

namespace Intune.Grains.Devices;

/// <summary>
/// Scatter-gather over a tenant's index partitions, then the full views of the one page: from the
/// silo's <see cref="DeviceViewCache"/> when it holds the version the index row carries, else one
/// point read each. A listing costs 16 in-memory scans and at most <c>$top</c> storage reads,
/// whatever the tenant's size. Runs in the silo because only the silo holds the unit's storage credentials.
/// </summary>
[StatelessWorker]
internal sealed class DeviceQueryGrain(IDeviceCatalog catalog, DeviceViewCache cache) : Grain, IDeviceQueryGrain
{
    public const int MaxTop = 1000;

    public async Task<DeviceQueryResult> QueryAsync(string tenantId, DeviceQuery query)
    {
        query = query with { Top = Math.Clamp(query.Top, 0, MaxTop) };
        var pages = await Task.WhenAll(Enumerable.Range(0, DeviceIndexPartitions.Count)
            .Select(p => GrainFactory.GetGrain<IDeviceIndexGrain>(DeviceIndexPartitions.Key(tenantId, p)).QueryAsync(query)));
        var merged = DeviceIndex.Merge(pages, query);
        var views = await ViewsAsync(tenantId, merged.Rows);
        var next = merged.HasMore && merged.Rows.Count > 0 ? DeviceIndex.KeysetOf(merged.Rows[^1]) : null;
        return new DeviceQueryResult(views, next, merged.Count);
    }

    private async Task<IReadOnlyList<ManagedDeviceView>> ViewsAsync(string tenantId, IReadOnlyList<DeviceIndexRow> rows)
    {
        var views = new ManagedDeviceView?[rows.Count];
        var missing = new List<int>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (cache.TryGet(tenantId, rows[i].Id, rows[i].Version, out var view))
            {
                views[i] = view;
            }
            else
            {
                missing.Add(i);
            }
        }

        if (missing.Count > 0)
        {
            var read = (await catalog.GetManyAsync(tenantId, missing.Select(i => rows[i].Id).ToList()))
                .ToDictionary(e => e.View.Id, StringComparer.Ordinal);
            foreach (var i in missing)
            {
                if (read.TryGetValue(rows[i].Id, out var entry))
                {
                    views[i] = entry.View;
                    // Storage is written before the index hears of it, so an older read than the row is a
                    // removal racing a re-add: not worth keeping.
                    if (entry.Version >= rows[i].Version)
                    {
                        cache.Set(tenantId, rows[i].Id, entry.Version, entry.View);
                    }
                }
            }
        }

        return views.OfType<ManagedDeviceView>().ToList();
    }
}
