using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Intune.Device.V1;

namespace Intune.Silo.Tests.Storage;

/// <summary>State lives in Azure Table storage, not in the process: a new host on the same storage serves it.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task EnrolledDevice_AfterFullRestart_IsListedAndChecksInWithItsCertificate()
    {
        await using var first = new ScaleUnitTestHost();
        await first.StartAsync();
        var (tenantId, token) = await first.CreateTenantAsync();
        using var device = first.NewDevice(Platform.Ios);
        var enrolled = await device.EnrollAsync(token);
        var beforeRestart = await device.CheckInAsync();
        await first.StopAsync();

        await using var second = new ScaleUnitTestHost(first.StoragePrefix);
        await second.StartAsync();
        // The same device object: same certificate, same pinned CA, but the gateway's new port.
        using var again = new Intune.DeviceSim.SimulatedDevice(second.DeviceGateway, device.Profile);
        var client = again.CreateClient(device.Certificate, device.CertificateAuthority);
        var afterRestart = await client.CheckInAsync(new CheckInRequest { Facts = device.Profile.Facts(), AssignmentEtag = beforeRestart.AssignmentEtag });

        Assert.True(afterRestart.NotModified);
        using var admin = second.AdminClient(second.AdminToken(tenantId));
        var listed = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/managedDevices/{enrolled.DeviceId}");
        Assert.Equal(device.Profile.DeviceName, (string?)listed!["deviceName"]);
        Assert.Equal("iOS", (string?)listed["operatingSystem"]);
    }
}
