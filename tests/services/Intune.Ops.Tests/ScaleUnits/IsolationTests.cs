using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using Intune.Device.V1;
using Intune.Grains.Tenants;
using Intune.Routing;

namespace Intune.Ops.Tests.ScaleUnits;

/// <summary>Scale units share nothing: one down leaves the other serving; one's credentials open nothing of the other's.</summary>
public sealed class IsolationTests(TwoUnits units) : IClassFixture<TwoUnits>
{
    [Fact]
    public async Task EveryNaSiloStopped_EuTenantsKeepEnrollingAndCheckingIn()
    {
        var eu = JsonNode.Parse((await units.OpsAsync("tenant", "create", "--name", "Isolated EU", "--region", "eu", "--json")).Output)!;
        var na = JsonNode.Parse((await units.OpsAsync("tenant", "create", "--name", "Isolated NA", "--region", "na", "--json")).Output)!;
        var euTenant = (string)eu["id"]!;
        using var before = units.Eu.NewDevice(Platform.Ios, 1);
        await before.EnrollAsync((string)eu["enrollmentToken"]!);
        await using var clients = new ScaleUnitClients([units.Na.Unit, units.Eu.Unit]);
        var router = new DirectoryScaleUnitRouter(clients, units.Directory, units.DirectoryOptions, TimeProvider.System);
        Assert.NotNull(await (await router.ForTenantAsync((string)na["id"]!)).GetGrain<ITenantGrain>((string)na["id"]!).GetAsync());

        await units.Na.StopAsync();

        using var after = units.Eu.NewDevice(Platform.Android, 2);
        var enrolled = await after.EnrollAsync((string)eu["enrollmentToken"]!);
        var checkIn = await after.CheckInAsync();
        var again = await before.CheckInAsync();
        var viaRouter = await (await router.ForTenantAsync(euTenant)).GetGrain<ITenantGrain>(euTenant).GetAsync();
        using var admin = units.Eu.AdminClient(units.Eu.AdminToken(euTenant));
        var page = await admin.GetFromJsonAsync<JsonObject>("deviceManagement/managedDevices");
        var (statusExit, statusOutput, _) = await units.OpsAsync("scale-unit", "status", "--json");

        Assert.Equal(euTenant, enrolled.TenantId);
        Assert.Equal(ComplianceState.Compliant, checkIn.ComplianceState);
        Assert.Equal(ComplianceState.Compliant, again.ComplianceState);
        Assert.Equal("Isolated EU", viaRouter!.DisplayName);
        Assert.Equal(2, page!["value"]!.AsArray().Count);
        Assert.Equal(0, statusExit);
        var states = JsonNode.Parse(statusOutput)!.AsArray().ToDictionary(s => (string)s!["id"]!, s => (string)s!["state"]!);
        Assert.Equal("unavailable", states["na-01"]);
        Assert.Equal("available", states["eu-01"]);
    }

    [Fact]
    public async Task NaCredentials_OnEuAccount_AreRefused()
    {
        var euTables = new TableServiceClient(units.Eu.Unit.StorageConnectionString);
        Assert.NotEmpty(await euTables.QueryAsync().ToListAsync());
        var naKey = units.Na.Unit.StorageConnectionString.Split(';').Single(p => p.StartsWith("AccountKey=", StringComparison.Ordinal))["AccountKey=".Length..];
        var euEndpoint = euTables.Uri;

        var asNa = new TableServiceClient(euEndpoint, new TableSharedKeyCredential("na01", naKey));
        var wrongKey = new TableServiceClient(euEndpoint, new TableSharedKeyCredential("eu01", naKey));
        var naOwn = new TableServiceClient(units.Na.Unit.StorageConnectionString);

        var refused = await Assert.ThrowsAsync<RequestFailedException>(async () => await asNa.QueryAsync().ToListAsync());
        var refusedKey = await Assert.ThrowsAsync<RequestFailedException>(async () => await wrongKey.QueryAsync().ToListAsync());
        Assert.Equal((int)HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal((int)HttpStatusCode.Forbidden, refusedKey.Status);
        var naTables = await naOwn.QueryAsync().Select(t => t.Name).ToListAsync();
        Assert.DoesNotContain(naTables, t => t.StartsWith(units.Eu.StoragePrefix, StringComparison.Ordinal));
    }
}
