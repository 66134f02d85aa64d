using Orleans.Concurrency;

namespace Intune.Grains.Devices;

/// <summary>
/// One sixteenth of a tenant's devices, in memory: loaded from the catalog once per activation
/// (only the listed columns; queries wait for it), then kept by one-way updates. It stays active for a day so a
/// 100k-device tenant pays the load rarely; a reload after deactivation or a silo loss is exact
/// because the catalog is written before the update is sent.
/// </summary>
[CollectionAgeLimit(Days = 1)]
internal sealed class DeviceIndexGrain(IDeviceCatalog catalog) : Grain, IDeviceIndexGrain
{
    private readonly Dictionary<string, DeviceIndexRow> _rows = new(StringComparer.Ordinal);

    // Removal versions, so an upsert overtaken by the removal that followed it does not resurrect the row.
    private readonly Dictionary<string, long> _removed = new(StringComparer.Ordinal);

    private Task? _load;

    /// <summary>
    /// Starts the load without awaiting it: Orleans cancels an activation whose
    /// <c>OnActivateAsync</c> outlives its activation timeout (30 s), which a 100k-device tenant's
    /// first listing on a busy machine did (500). Queries await the load instead (under the
    /// query's longer response timeout); updates that arrive meanwhile apply at once, and the
    /// versions keep the older loaded rows from overwriting them.
    /// </summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _load = LoadAsync();
        return Task.CompletedTask;
    }

    public Task UpsertAsync(DeviceIndexRow row)
    {
        Apply(row);
        return Task.CompletedTask;
    }

    public Task UpsertManyAsync(IReadOnlyList<DeviceIndexRow> rows)
    {
        foreach (var row in rows)
        {
            Apply(row);
        }

        return Task.CompletedTask;
    }

    public Task RemoveAsync(string deviceId, long version)
    {
        if (_rows.TryGetValue(deviceId, out var current) && current.Version > version)
        {
            return Task.CompletedTask;
        }

        _rows.Remove(deviceId);
        _removed[deviceId] = version;
        return Task.CompletedTask;
    }

    [ReadOnly]
    public async Task<DeviceIndexPage> QueryAsync(DeviceQuery query)
    {
        await LoadedAsync();
        return DeviceIndex.Query(_rows.Values, query);
    }

    private Task LoadedAsync()
    {
        // A failed load (storage unavailable) is retried by the next query rather than kept forever.
        if (_load is null || _load.IsFaulted || _load.IsCanceled)
        {
            _load = LoadAsync();
        }

        return _load;
    }

    [ReadOnly]
    public async Task<IReadOnlyList<string>> LastSyncedWithinAsync(DateTimeOffset after, DateTimeOffset through)
    {
        await LoadedAsync();
        return _rows.Values.Where(r => r.LastSyncDateTime > after && r.LastSyncDateTime <= through).Select(r => r.Id).ToList();
    }

    private async Task LoadAsync()
    {
        var (tenantId, partition) = GrainKeys.Split(this.GetPrimaryKeyString());
        foreach (var row in await catalog.LoadIndexPartitionAsync(tenantId, int.Parse(partition, System.Globalization.CultureInfo.InvariantCulture)))
        {
            Apply(row);
        }
    }

    private void Apply(DeviceIndexRow row)
    {
        if ((_rows.TryGetValue(row.Id, out var current) && current.Version > row.Version)
            || (_removed.TryGetValue(row.Id, out var removedAt) && removedAt > row.Version))
        {
            return;
        }

        _rows[row.Id] = row;
        _removed.Remove(row.Id);
    }
}
