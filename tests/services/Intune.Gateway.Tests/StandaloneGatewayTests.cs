using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Intune.ClusterConfig;
using Intune.Device.V1;
using Intune.DeviceSim;
using Intune.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Intune.Gateway.Tests;

/// <summary>
/// <c>intune-gateway</c> as its own process (here: in this process) in front of two isolated
/// units: it serves the admin API and devices of tenants on both, routing by tenant.
/// </summary>
public sealed class StandaloneGatewayTests(TwoUnits units) : IClassFixture<TwoUnits>
{
    [Fact]
    public async Task Gateway_TenantsOnTwoUnits_ServesAdminCallsAndDevicesOfBoth()
    {
        var tenants = new Dictionary<string, (string Id, string Token)>
        {
            ["na-01"] = await CreateTenantAsync("Gateway NA", "na"),
            ["eu-01"] = await CreateTenantAsync("Gateway EU", "eu"),
        };
        int adminPort = TestStorage.FreeTcpPort(), naDevices = TestStorage.FreeTcpPort(), euDevices = TestStorage.FreeTcpPort();
        var endpoints = new Dictionary<string, Uri>
        {
            ["na-01"] = new($"https://127.0.0.1:{naDevices}"),
            ["eu-01"] = new($"https://127.0.0.1:{euDevices}"),
        };
        // The gateway's view of the units: the same clusters, with its device ports as their endpoints.
        var topology = new Topology(
            [WithDeviceEndpoint(units.Na.Unit, endpoints["na-01"]), WithDeviceEndpoint(units.Eu.Unit, endpoints["eu-01"])],
            units.DirectoryOptions);
        await using var gateway = GatewayHost.Create(["--environment", "Development"], topology, builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateways:AdminPort"] = adminPort.ToString(),
            ["Gateways:AdminGrpcPort"] = TestStorage.FreeTcpPort().ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
        }));
        await gateway.StartAsync();

        foreach (var (unit, (tenantId, enrollmentToken)) in tenants)
        {
            using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}/v1.0/") };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", units.Na.AdminToken(tenantId));
            using var created = await admin.PostAsJsonAsync("groups", new JsonObject { ["displayName"] = $"Fleet of {unit}" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

            // The write went to the tenant's own unit: its co-hosted admin gateway sees it.
            using var direct = units.Host(unit).AdminClient(units.Host(unit).AdminToken(tenantId));
            var groups = await direct.GetFromJsonAsync<JsonObject>("groups");
            Assert.Contains(groups!["value"]!.AsArray(), g => (string?)g!["displayName"] == $"Fleet of {unit}");

            // A device enrolling at the other unit's port is sent to its tenant's, then checks in there.
            var other = unit == "na-01" ? "eu-01" : "na-01";
            using var device = new SimulatedDevice(endpoints[other], DeviceProfile.Create(Platform.Windows, 1, noncompliant: false, new Random(1)));
            var enrolled = await device.EnrollAsync(enrollmentToken);
            Assert.Equal(tenantId, enrolled.TenantId);
            Assert.Equal(endpoints[unit], device.Gateway);
            Assert.Contains($"OU={unit}", device.Certificate!.Subject, StringComparison.Ordinal);
            var checkIn = await device.CheckInAsync();
            Assert.True(checkIn.NextCheckIn.ToDateTimeOffset() > DateTimeOffset.UtcNow);

            using var devices = await admin.GetAsync("deviceManagement/managedDevices");
            Assert.Equal(HttpStatusCode.OK, devices.StatusCode);
            Assert.Contains(device.DeviceId!, await devices.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await gateway.StopAsync();
    }

    private async Task<(string Id, string Token)> CreateTenantAsync(string name, string region)
    {
        var (exit, output, error) = await units.OpsAsync("tenant", "create", "--name", name, "--region", region, "--json");
        Assert.True(exit == 0, error);
        var created = JsonNode.Parse(output)!;
        return ((string)created["id"]!, (string)created["enrollmentToken"]!);
    }

    private static ScaleUnitOptions WithDeviceEndpoint(ScaleUnitOptions unit, Uri endpoint) => new()
    {
        Id = unit.Id,
        Region = unit.Region,
        ClusterId = unit.ClusterId,
        ServiceId = unit.ServiceId,
        StorageConnectionString = unit.StorageConnectionString,
        StoragePrefix = unit.StoragePrefix,
        SiloPort = unit.SiloPort,
        GatewayPort = unit.GatewayPort,
        CapacityDevices = unit.CapacityDevices,
        DeviceEndpoint = endpoint.ToString(),
    };
}
