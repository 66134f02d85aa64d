using Intune.Grains.Devices;

namespace Intune.Grains.Tests.Devices;

public sealed class DeviceViewCacheTests
{
    private const string Tenant = "tenant-a";

    [Fact]
    public void TryGet_SameVersion_ReturnsCachedView()
    {
        var cache = new DeviceViewCache(10);
        var view = View("d1", "LAPTOP-1");
        cache.Set(Tenant, "d1", 5, view);

        Assert.True(cache.TryGet(Tenant, "d1", 5, out var found));
        Assert.Same(view, found);
    }

    [Fact]
    public void TryGet_IndexRowAtOtherVersion_Misses()
    {
        var cache = new DeviceViewCache(10);
        cache.Set(Tenant, "d1", 5, View("d1", "LAPTOP-1"));

        Assert.False(cache.TryGet(Tenant, "d1", 6, out _));
        Assert.False(cache.TryGet(Tenant, "d1", 4, out _));
        Assert.False(cache.TryGet("tenant-b", "d1", 5, out _));
    }

    [Fact]
    public void Set_OlderThanCached_KeepsNewer()
    {
        var cache = new DeviceViewCache(10);
        cache.Set(Tenant, "d1", 7, View("d1", "NEW"));
        cache.Set(Tenant, "d1", 5, View("d1", "OLD"));

        Assert.True(cache.TryGet(Tenant, "d1", 7, out var found));
        Assert.Equal("NEW", found.DeviceName);
        Assert.False(cache.TryGet(Tenant, "d1", 5, out _));
    }

    [Fact]
    public void Set_BeyondCapacity_EvictsLeastRecentlyUsed()
    {
        var cache = new DeviceViewCache(2);
        cache.Set(Tenant, "d1", 1, View("d1", "A"));
        cache.Set(Tenant, "d2", 1, View("d2", "B"));
        Assert.True(cache.TryGet(Tenant, "d1", 1, out _));

        cache.Set(Tenant, "d3", 1, View("d3", "C"));

        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryGet(Tenant, "d1", 1, out _));
        Assert.False(cache.TryGet(Tenant, "d2", 1, out _));
        Assert.True(cache.TryGet(Tenant, "d3", 1, out _));
    }

    [Fact]
    public void Constructor_ZeroCapacity_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeviceViewCache(0));

    private static ManagedDeviceView View(string id, string name) => new()
    {
        Id = id,
        TenantId = Tenant,
        DeviceName = name,
        Platform = DevicePlatform.Windows,
    };
}
