using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Intune.Device.V1;
using Intune.DeviceSim;

namespace Intune.AdminGateway.Tests.RetireRequests;

/// <summary>
/// The compliance retire list end to end: a noncompliant device's retire/wipe action lands on the
/// list, and an admin's confirmation issues the real device action over the gRPC gateway.
/// </summary>
public sealed class ComplianceRetireListTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private ScaleUnitTestHost Host => fixture.Host;

    [Theory]
    [InlineData("retire", CommandType.Retire)]
    [InlineData("wipe", CommandType.Wipe)]
    public async Task Confirm_NoncomplianceAction_DeliversCommandAndRemovesDevice(string actionType, CommandType expected)
    {
        var (tenantId, token) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        using var device = new SimulatedDevice(Host.DeviceGateway, DeviceProfile.Create(Platform.Windows, 7, noncompliant: true, new Random(7)));
        await device.EnrollAsync(token);
        await device.CheckInAsync();
        var created = await admin.PostAsJsonAsync("deviceManagement/deviceCompliancePolicies", new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.windows10CompliancePolicy",
            ["displayName"] = "BitLocker or leave",
            ["bitLockerEnabled"] = true,
            ["scheduledActionsForRule"] = new JsonArray(new JsonObject
            {
                ["ruleName"] = "PasswordRequired",
                ["scheduledActionConfigurations"] = new JsonArray(
                    new JsonObject { ["actionType"] = "block", ["gracePeriodHours"] = 0 },
                    new JsonObject { ["actionType"] = actionType, ["gracePeriodHours"] = 0 }),
            }),
        });
        var policyId = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var assigned = await admin.PostAsJsonAsync($"deviceManagement/deviceCompliancePolicies/{policyId}/assign", new JsonObject
        {
            ["assignments"] = new JsonArray(new JsonObject { ["target"] = new JsonObject { ["@odata.type"] = "#microsoft.graph.allDevicesAssignmentTarget" } }),
        });
        Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);

        // The device picks the policy up at this check-in, fails it and lands on the list.
        var before = await device.CheckInAsync();
        var listed = await admin.GetFromJsonAsync<JsonObject>("deviceManagement/complianceRetireRequests");
        var confirmed = await admin.PostAsync($"deviceManagement/complianceRetireRequests/{device.DeviceId}/confirm", content: null);
        var again = await admin.PostAsync($"deviceManagement/complianceRetireRequests/{device.DeviceId}/confirm", content: null);
        var pending = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/managedDevices/{device.DeviceId}");
        var delivered = await device.CheckInAsync();
        var final = await device.SyncAsync();

        var request = Assert.Single(listed!["value"]!.AsArray())!;
        Assert.Equal((device.DeviceId, actionType, "pending"), ((string?)request["managedDeviceId"], (string?)request["actionType"], (string?)request["state"]));
        // Listed is not acted on: nothing reaches the device until an admin confirms.
        Assert.Empty(before.Commands);
        Assert.Equal(HttpStatusCode.NoContent, confirmed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal($"{actionType}Pending", (string?)pending!["managementState"]);
        Assert.Equal(expected, Assert.Single(delivered.Commands).Type);
        Assert.True(final.Unenrolled);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"deviceManagement/managedDevices/{device.DeviceId}")).StatusCode);
        var error = await Assert.ThrowsAsync<RpcException>(() => device.CheckInAsync());
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task Dismiss_RetireRequest_DeviceStaysEnrolled()
    {
        var (tenantId, token) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        using var device = new SimulatedDevice(Host.DeviceGateway, DeviceProfile.Create(Platform.Windows, 8, noncompliant: true, new Random(8)));
        await device.EnrollAsync(token);
        await device.CheckInAsync();
        var created = await admin.PostAsJsonAsync("deviceManagement/deviceCompliancePolicies", new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.windows10CompliancePolicy",
            ["displayName"] = "BitLocker",
            ["bitLockerEnabled"] = true,
            ["scheduledActionsForRule"] = new JsonArray(new JsonObject
            {
                ["ruleName"] = "PasswordRequired",
                ["scheduledActionConfigurations"] = new JsonArray(
                    new JsonObject { ["actionType"] = "block", ["gracePeriodHours"] = 0 },
                    new JsonObject { ["actionType"] = "retire", ["gracePeriodHours"] = 0 }),
            }),
        });
        var policyId = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        await admin.PostAsJsonAsync($"deviceManagement/deviceCompliancePolicies/{policyId}/assign", new JsonObject
        {
            ["assignments"] = new JsonArray(new JsonObject { ["target"] = new JsonObject { ["@odata.type"] = "#microsoft.graph.allDevicesAssignmentTarget" } }),
        });
        await device.CheckInAsync();

        var dismissed = await admin.PostAsync($"deviceManagement/complianceRetireRequests/{device.DeviceId}/dismiss", content: null);
        var after = await device.CheckInAsync();

        Assert.Equal(HttpStatusCode.NoContent, dismissed.StatusCode);
        Assert.Empty(after.Commands);
        Assert.False(after.Unenrolled);
        var device2 = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/managedDevices/{device.DeviceId}");
        Assert.Equal("managed", (string?)device2!["managementState"]);
    }
}
