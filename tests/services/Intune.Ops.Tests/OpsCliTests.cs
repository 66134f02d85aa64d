using System.Net;
using System.Text.Json.Nodes;
using Intune.CommandLine;
using Intune.Device.V1;
using Intune.Routing;

namespace Intune.Ops.Tests;

/// <summary><c>intune-ops</c> against two running units and the directory, all on Azurite.</summary>
public sealed class OpsCliTests(TwoUnits units) : IClassFixture<TwoUnits>
{
    [Fact]
    public async Task TenantCreate_Eu_PlacesOnEu01AndItsDevicesEnrollThere()
    {
        var (exit, output, error) = await units.OpsAsync("tenant", "create", "--name", "Fabrikam EU", "--region", "eu", "--json");

        Assert.True(exit == 0, error);
        var created = JsonNode.Parse(output)!;
        var tenantId = (string)created["id"]!;
        Assert.Equal("eu-01", (string?)created["scaleUnit"]);
        Assert.StartsWith(tenantId + ".", (string)created["enrollmentToken"]!, StringComparison.Ordinal);
        var entry = await units.Directory.GetAsync(tenantId);
        Assert.Equal(TenantDirectoryState.Active, entry!.State);
        Assert.Equal("eu-01", entry.ScaleUnitId);

        using var device = units.Eu.NewDevice(Platform.Android);
        var enrolled = await device.EnrollAsync((string)created["enrollmentToken"]!);
        var checkIn = await device.CheckInAsync();
        Assert.Equal(tenantId, enrolled.TenantId);
        Assert.Equal(ComplianceState.Compliant, checkIn.ComplianceState);
        Assert.Equal("eu-01", OrganizationalUnit(device));
    }

    [Fact]
    public async Task TenantCreate_RegionWithoutUnit_FailsNamingTheRegion()
    {
        var (exit, _, error) = await units.OpsAsync("tenant", "create", "--name", "Contoso APAC", "--region", "apac", "--json");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("No scale unit serves region 'apac'", error);
    }

    [Fact]
    public async Task TenantCreate_UnknownRegion_IsAUsageError()
    {
        var (exit, _, error) = await units.OpsAsync("tenant", "create", "--name", "X", "--region", "mars");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("mars", error);
    }

    [Fact]
    public async Task TenantListAndShow_AfterCreate_ReturnTheDirectoryEntries()
    {
        var na = JsonNode.Parse((await units.OpsAsync("tenant", "create", "--name", "Contoso NA", "--region", "na", "--json")).Output)!;
        var naId = (string)na["id"]!;

        var (listExit, listOutput, _) = await units.OpsAsync("tenant", "list", "--json");
        var (showExit, showOutput, _) = await units.OpsAsync("tenant", "show", naId, "--json");
        var (missingExit, _, missingError) = await units.OpsAsync("tenant", "show", Guid.NewGuid().ToString());

        Assert.Equal(0, listExit);
        var listed = JsonNode.Parse(listOutput)!.AsArray().Single(t => (string?)t!["id"] == naId)!;
        Assert.Equal("na-01", (string?)listed["scaleUnit"]);
        Assert.Equal("Active", (string?)listed["state"]);
        Assert.Equal(0, showExit);
        var shown = JsonNode.Parse(showOutput)!;
        Assert.Equal("Contoso NA", (string?)shown["tenant"]!["displayName"]);
        Assert.Equal(0, (long)shown["devices"]!);
        Assert.Equal(ExitCodes.NotFound, missingExit);
        Assert.Contains("not in the tenant directory", missingError);
    }

    [Fact]
    public async Task Token_ForCreatedTenant_LastLineIsABearerTheAdminGatewayAccepts()
    {
        var created = JsonNode.Parse((await units.OpsAsync("tenant", "create", "--name", "Northwind", "--region", "na", "--json")).Output)!;
        var tenantId = (string)created["id"]!;

        var (exit, output, _) = await units.OpsAsync("token", "--tenant", tenantId, "--role", "Read Only Operator");

        Assert.Equal(0, exit);
        var token = output.TrimEnd().Split('\n')[^1].Trim();
        using var admin = units.Na.AdminClient(token);
        using var response = await admin.GetAsync("deviceManagement/managedDevices");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var forged = units.Na.AdminClient(token + "x");
        using var refused = await forged.GetAsync("deviceManagement/managedDevices");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Token_NotATenantId_FailsWithReadableError()
    {
        var (exit, _, error) = await units.OpsAsync("token", "--tenant", "contoso", "--role", "Intune Administrator");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--tenant 'contoso' is not a tenant id", error);
    }

    [Fact]
    public async Task ScaleUnitStatus_TwoUnits_ShowsSilosActivationsTenantsAndDevices()
    {
        var created = JsonNode.Parse((await units.OpsAsync("tenant", "create", "--name", "Status EU", "--region", "eu", "--json")).Output)!;
        using var device = units.Eu.NewDevice(Platform.Windows);
        await device.EnrollAsync((string)created["enrollmentToken"]!);
        var directory = await units.Directory.ListAsync();

        var (exit, output, error) = await units.OpsAsync("scale-unit", "status", "--json");

        Assert.True(exit == 0, error);
        var statuses = JsonNode.Parse(output)!.AsArray();
        Assert.Equal(["na-01", "eu-01"], statuses.Select(s => (string)s!["id"]!));
        foreach (var status in statuses)
        {
            Assert.Equal("available", (string?)status!["state"]);
            Assert.Single(status["silos"]!.AsArray());
            Assert.True((long)status["activations"]! > 0);
            Assert.Equal(directory.Count(e => e.ScaleUnitId == (string)status["id"]!), (int)status["tenants"]!);
        }

        var eu = statuses.Single(s => (string?)s!["id"] == "eu-01")!;
        var euDevices = (await units.Eu.Tables.GetTableClient($"{units.Eu.StoragePrefix}devices").QueryAsync<Azure.Data.Tables.TableEntity>().ToListAsync()).Count;
        Assert.Equal(euDevices, (long)eu["devices"]!);
        Assert.True(euDevices >= 1);
    }

    [Fact]
    public async Task ScaleUnitList_Json_ListsBothUnitsWithTheirIds()
    {
        var (exit, output, _) = await units.OpsAsync("scale-unit", "list", "--json");

        Assert.Equal(0, exit);
        var listed = JsonNode.Parse(output)!.AsArray();
        Assert.Equal([units.Na.Unit.ServiceId, units.Eu.Unit.ServiceId], listed.Select(u => (string)u!["serviceId"]!));
    }

    private static string? OrganizationalUnit(Intune.DeviceSim.SimulatedDevice device) =>
        device.Certificate!.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(r => r.GetSingleElementType().Value == "2.5.4.11")
            .Select(r => r.GetSingleElementValue())
            .SingleOrDefault();
}
