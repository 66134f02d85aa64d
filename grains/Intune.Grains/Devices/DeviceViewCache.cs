namespace Intune.Grains.Devices;

/// <summary>
/// The full views of recently listed devices, per silo, least recently used out first. A listing
/// page otherwise costs one storage read per device (measured: 100 point reads were most of a
/// page's time). An entry is only used for the exact catalog version the index row carries, so a
/// device changed since it was cached is read again; the bound keeps memory flat whatever the
/// tenant's size (views are ~2 KB: the index keeps only listed columns for every device).
/// </summary>
public sealed class DeviceViewCache(int capacity)
{
    public const int DefaultCapacity = 10_000;

    private readonly Dictionary<(string TenantId, string DeviceId), LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = new();
    private readonly Lock _lock = new();

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "The cache must hold at least one view.");

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The view cached for the device at exactly <paramref name="version"/>.</summary>
    public bool TryGet(string tenantId, string deviceId, long version, out ManagedDeviceView view)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue((tenantId, deviceId), out var node) && node.Value.Version == version)
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                view = node.Value.View;
                return true;
            }
        }

        view = null!;
        return false;
    }

    /// <summary>Keeps the view read at <paramref name="version"/>, unless a newer one is already kept.</summary>
    public void Set(string tenantId, string deviceId, long version, ManagedDeviceView view)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue((tenantId, deviceId), out var node))
            {
                if (node.Value.Version > version)
                {
                    return;
                }

                node.Value = new Entry(tenantId, deviceId, version, view);
                _recency.Remove(node);
                _recency.AddFirst(node);
                return;
            }

            if (_entries.Count >= Capacity)
            {
                var oldest = _recency.Last!;
                _recency.RemoveLast();
                _entries.Remove((oldest.Value.TenantId, oldest.Value.DeviceId));
            }

            _entries[(tenantId, deviceId)] = _recency.AddFirst(new Entry(tenantId, deviceId, version, view));
        }
    }

    private sealed record Entry(string TenantId, string DeviceId, long Version, ManagedDeviceView View);
}
