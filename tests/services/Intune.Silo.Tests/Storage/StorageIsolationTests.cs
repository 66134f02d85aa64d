using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Intune.Grains.Tenants;

namespace Intune.Silo.Tests.Storage;

/// <summary>
/// Two units (or two test classes) with different storage prefixes share one Azurite but no
/// data: the same tenant id in each is two unrelated tenants.
/// </summary>
public sealed class StorageIsolationTests
{
    [Fact]
    public async Task SameTenantId_InTwoPrefixes_SeesOnlyItsOwnDevices()
    {
        await using var left = new ScaleUnitTestHost();
        await using var right = new ScaleUnitTestHost();
        await left.StartAsync();
        await right.StartAsync();
        var tenantId = Guid.NewGuid().ToString();
        var leftTenant = left.Grains.GetGrain<ITenantGrain>(tenantId);
        await leftTenant.CreateAsync("Left", "na");
        var token = await leftTenant.CreateEnrollmentTokenAsync(TimeSpan.FromHours(1), null);
        using var device = left.NewDevice();
        await device.EnrollAsync(token.Token!);

        var rightTenant = await right.Grains.GetGrain<ITenantGrain>(tenantId).GetAsync();
        using var rightAdmin = right.AdminClient(right.AdminToken(tenantId));
        var rightPage = await rightAdmin.GetFromJsonAsync<JsonObject>("deviceManagement/managedDevices");
        using var leftAdmin = left.AdminClient(left.AdminToken(tenantId));
        var leftPage = await leftAdmin.GetFromJsonAsync<JsonObject>("deviceManagement/managedDevices");

        Assert.Null(rightTenant);
        Assert.Empty(rightPage!["value"]!.AsArray());
        Assert.Single(leftPage!["value"]!.AsArray());
        Assert.NotEqual(left.StoragePrefix, right.StoragePrefix);
    }
}
