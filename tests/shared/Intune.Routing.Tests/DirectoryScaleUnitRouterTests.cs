using Intune.Grains.Tenants;
using Intune.Routing;
using Microsoft.Extensions.Time.Testing;

namespace Intune.Routing.Tests;

/// <summary>A gateway's view: Orleans clients of both units in one process, routing by tenant through the directory.</summary>
public sealed class DirectoryScaleUnitRouterTests(TwoUnits units) : IClassFixture<TwoUnits>
{
    [Fact]
    public async Task ForTenantAsync_TenantsOnTwoUnits_EachReachesItsOwnUnit()
    {
        var (naTenant, euTenant) = (await CreateAsync("na"), await CreateAsync("eu"));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var clients = new ScaleUnitClients([units.Na.Unit, units.Eu.Unit]);
        var router = new DirectoryScaleUnitRouter(clients, units.Directory, units.DirectoryOptions, time);

        var naInfo = await (await router.ForTenantAsync(naTenant)).GetGrain<ITenantGrain>(naTenant).GetAsync();
        var euInfo = await (await router.ForTenantAsync(euTenant)).GetGrain<ITenantGrain>(euTenant).GetAsync();
        var euSeenFromNa = await (await router.ForScaleUnitAsync("na-01")).GetGrain<ITenantGrain>(euTenant).GetAsync();

        Assert.Equal("na", naInfo!.Region);
        Assert.Equal("eu", euInfo!.Region);
        Assert.Null(euSeenFromNa);
    }

    [Fact]
    public async Task ForTenantAsync_UnknownTenant_IsNotRoutable()
    {
        await using var clients = new ScaleUnitClients([units.Na.Unit, units.Eu.Unit]);
        var router = new DirectoryScaleUnitRouter(clients, units.Directory, units.DirectoryOptions, TimeProvider.System);

        await Assert.ThrowsAsync<TenantNotRoutableException>(async () => await router.ForTenantAsync(Guid.NewGuid().ToString()));
        await Assert.ThrowsAsync<TenantNotRoutableException>(async () => await router.ForScaleUnitAsync("apac-01"));
    }

    [Fact]
    public async Task ForTenantAsync_DirectoryChanged_CachedUntilInvalidatedOrExpired()
    {
        var tenantId = await CreateAsync("na");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var clients = new ScaleUnitClients([units.Na.Unit, units.Eu.Unit]);
        var router = new DirectoryScaleUnitRouter(clients, units.Directory, units.DirectoryOptions, time);
        var na = await router.ForTenantAsync(tenantId);
        var entry = (await units.Directory.GetAsync(tenantId))!;
        await units.Directory.UpdateAsync(entry with { ScaleUnitId = "eu-01", PreviousScaleUnitId = "na-01" });

        var cached = await router.ForTenantAsync(tenantId);
        router.Invalidate(tenantId);
        var afterInvalidate = await router.ForTenantAsync(tenantId);
        await units.Directory.UpdateAsync((await units.Directory.GetAsync(tenantId))! with { ScaleUnitId = "na-01" });
        time.Advance(TimeSpan.FromSeconds(units.DirectoryOptions.CacheSeconds + 1));
        var afterExpiry = await router.ForTenantAsync(tenantId);

        Assert.Same(na, cached);
        Assert.Same(await clients.GetAsync("eu-01"), afterInvalidate);
        Assert.Same(na, afterExpiry);
    }

    private async Task<string> CreateAsync(string region)
    {
        var (exit, output, error) = await units.OpsAsync("tenant", "create", "--name", $"Router {region}", "--region", region, "--json");
        Assert.True(exit == 0, error);
        return (string)System.Text.Json.Nodes.JsonNode.Parse(output)!["id"]!;
    }
}
