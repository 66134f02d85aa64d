using Intune.ClusterConfig;

namespace Intune.Routing.Tests;

/// <summary>Where <c>tenant create</c> puts a tenant: its region, the least loaded unit that accepts new tenants.</summary>
public sealed class TenantPlacementTests
{
    private static readonly Dictionary<string, int> NoTenants = [];

    [Fact]
    public void Choose_SpareUnitEmptier_PicksTheUnitThatAcceptsNewTenants()
    {
        var units = new[] { Unit("na-01", "na"), Unit("na-02", "na", acceptsNewTenants: false), Unit("eu-01", "eu") };

        var chosen = TenantPlacement.Choose(units, "na", new Dictionary<string, long> { ["na-01"] = 90_000 }, new Dictionary<string, int> { ["na-01"] = 40 });

        Assert.Equal("na-01", chosen.Id);
    }

    [Fact]
    public void Choose_OnlySpareUnitsInRegion_FailsNamingThem()
    {
        var units = new[] { Unit("na-02", "na", acceptsNewTenants: false), Unit("eu-01", "eu") };

        var error = Assert.Throws<ArgumentException>(() => TenantPlacement.Choose(units, "na", new Dictionary<string, long>(), NoTenants));

        Assert.Contains("na-02", error.Message);
        Assert.Contains("accepts new tenants", error.Message);
    }

    [Fact]
    public void Choose_TwoOpenUnits_PicksTheLessLoaded()
    {
        var units = new[] { Unit("na-01", "na"), Unit("na-03", "na") };

        var chosen = TenantPlacement.Choose(units, "na", new Dictionary<string, long> { ["na-01"] = 500, ["na-03"] = 10 }, NoTenants);

        Assert.Equal("na-03", chosen.Id);
    }

    private static ScaleUnitOptions Unit(string id, string region, bool acceptsNewTenants = true) =>
        new() { Id = id, Region = region, CapacityDevices = 100_000, AcceptsNewTenants = acceptsNewTenants };
}
