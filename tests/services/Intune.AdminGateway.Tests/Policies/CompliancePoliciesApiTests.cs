using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Intune.Device.V1;
using Intune.DeviceSim;

namespace Intune.AdminGateway.Tests.Policies;

/// <summary>
/// The compliance and configuration engine end to end: Graph REST for groups, policies,
/// assignments, settings and reports; devices over the real gRPC gateway on Azurite.
/// </summary>
public sealed class CompliancePoliciesApiTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private ScaleUnitTestHost Host => fixture.Host;

    private static JsonObject WindowsPolicy(string name, bool withBlock = true) => new()
    {
        ["@odata.type"] = "#microsoft.graph.windows10CompliancePolicy",
        ["displayName"] = name,
        ["bitLockerEnabled"] = true,
        ["osMinimumVersion"] = "10.0.19045",
        ["passwordRequired"] = true,
        ["passwordMinimumLength"] = 8,
        ["scheduledActionsForRule"] = new JsonArray(new JsonObject
        {
            ["ruleName"] = "PasswordRequired",
            ["scheduledActionConfigurations"] = new JsonArray(new JsonObject
            {
                ["actionType"] = withBlock ? "block" : "notification",
                ["gracePeriodHours"] = 0,
                ["notificationTemplateId"] = string.Empty,
            }),
        }),
    };

    private async Task<(string TenantId, HttpClient Admin, SimulatedDevice Good, SimulatedDevice Bad, string GroupId)> ArrangeAsync()
    {
        var (tenantId, token) = await Host.CreateTenantAsync();
        var admin = Host.AdminClient(Host.AdminToken(tenantId));
        var good = Host.NewDevice(Platform.Windows, 1);
        var bad = new SimulatedDevice(Host.DeviceGateway, DeviceProfile.Create(Platform.Windows, 2, noncompliant: true, new Random(2)));
        await good.EnrollAsync(token);
        await bad.EnrollAsync(token);
        await good.CheckInAsync();
        await bad.CheckInAsync();
        var group = await (await admin.PostAsJsonAsync("groups", new JsonObject { ["displayName"] = "Windows fleet" })).Content.ReadFromJsonAsync<JsonObject>();
        var groupId = (string)group!["id"]!;
        foreach (var device in new[] { good, bad })
        {
            var added = await admin.PostAsJsonAsync($"groups/{groupId}/members/$ref", new JsonObject { ["@odata.id"] = $"https://graph.microsoft.com/v1.0/devices/{device.DeviceId}" });
            Assert.Equal(HttpStatusCode.NoContent, added.StatusCode);
        }

        return (tenantId, admin, good, bad, groupId);
    }

    [Fact]
    public async Task CreateAssignCheckIn_GroupOfTwo_ReportsPerDeviceAndTenantWide()
    {
        var (_, admin, good, bad, groupId) = await ArrangeAsync();
        using var _ = admin;
        using var __ = good;
        using var ___ = bad;

        var created = await admin.PostAsJsonAsync("deviceManagement/deviceCompliancePolicies", WindowsPolicy("Windows baseline"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var policy = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var policyId = (string)policy["id"]!;
        Assert.Equal("#microsoft.graph.windows10CompliancePolicy", (string?)policy["@odata.type"]);
        Assert.Equal(1, (int)policy["version"]!);
        Assert.Null(policy["scheduledActionsForRule"]);
        var assign = await admin.PostAsJsonAsync($"deviceManagement/deviceCompliancePolicies/{policyId}/assign", new JsonObject
        {
            ["assignments"] = new JsonArray(new JsonObject { ["target"] = new JsonObject { ["@odata.type"] = "#microsoft.graph.groupAssignmentTarget", ["groupId"] = groupId } }),
        });
        Assert.Equal(HttpStatusCode.OK, assign.StatusCode);
        Assert.Single((await assign.Content.ReadFromJsonAsync<JsonObject>())!["value"]!.AsArray());

        var goodCheckIn = await good.CheckInAsync();
        var badCheckIn = await bad.CheckInAsync();

        Assert.Equal(Intune.Device.V1.ComplianceState.Compliant, goodCheckIn.ComplianceState);
        Assert.Equal(Intune.Device.V1.ComplianceState.Noncompliant, badCheckIn.ComplianceState);
        var detail = Assert.Single(badCheckIn.CompliancePolicies);
        Assert.Equal("nonCompliant", Assert.Single(detail.Settings, s => s.Setting == "bitLockerEnabled").State);
        var overview = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/deviceCompliancePolicies/{policyId}/deviceStatusOverview");
        Assert.Equal((1, 1, 0), ((int)overview!["successCount"]!, (int)overview["failedCount"]!, (int)overview["pendingCount"]!));
        var statuses = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/deviceCompliancePolicies/{policyId}/deviceStatuses");
        Assert.Equal(["compliant", "nonCompliant"], statuses!["value"]!.AsArray().Select(s => (string)s!["status"]!).Order());
        var users = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/deviceCompliancePolicies/{policyId}/userStatusOverview");
        Assert.Equal(2, (int)users!["successCount"]! + (int)users["failedCount"]!);
        var summary = await admin.GetFromJsonAsync<JsonObject>("deviceManagement/deviceCompliancePolicyDeviceStateSummary");
        Assert.Equal((1, 1), ((int)summary!["compliantDeviceCount"]!, (int)summary["nonCompliantDeviceCount"]!));
        var states = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/managedDevices/{bad.DeviceId}/deviceCompliancePolicyStates");
        Assert.Equal("nonCompliant", (string?)Assert.Single(states!["value"]!.AsArray())!["state"]);
        var verdict = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/conditionalAccess/devices/{bad.DeviceId}");
        Assert.Equal((true, false), ((bool)verdict!["isManaged"]!, (bool)verdict["isCompliant"]!));
        var nac = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/networkAccessControl/devices?serialNumber={good.Profile.SerialNumber.ToLowerInvariant()}");
        Assert.Equal((good.DeviceId, true), ((string?)nac!["id"], (bool)nac["isCompliant"]!));
    }

    [Fact]
    public async Task Create_WithoutBlockAction_Is400WithGraphMessage()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));

        var response = await admin.PostAsJsonAsync("deviceManagement/deviceCompliancePolicies", WindowsPolicy("No block", withBlock: false));
        var unknownType = await admin.PostAsJsonAsync("deviceManagement/deviceCompliancePolicies", new JsonObject { ["@odata.type"] = "#microsoft.graph.nope", ["displayName"] = "x" });
        var badProperty = WindowsPolicy("Typo");
        badProperty["bitlockerEnabled"] = true;
        var typo = await admin.PostAsJsonAsync("deviceManagement/deviceCompliancePolicies", badProperty);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Compliance policy must have one and only one block scheduled action", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["message"]);
        Assert.Equal(HttpStatusCode.BadRequest, unknownType.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, typo.StatusCode);
        Assert.Contains("bitlockerEnabled", (string?)(await typo.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["message"]);
    }

    [Fact]
    public async Task GetPatchListDelete_Policy_VersionsAndExpandsActions()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        var created = await (await admin.PostAsJsonAsync("deviceManagement/deviceCompliancePolicies", WindowsPolicy("Baseline"))).Content.ReadFromJsonAsync<JsonObject>();
        var id = (string)created!["id"]!;

        var patch = await admin.PatchAsync($"deviceManagement/deviceCompliancePolicies/{id}", JsonContent.Create(new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.windows10CompliancePolicy",
            ["passwordMinimumLength"] = 12,
        }));
        var expanded = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/deviceCompliancePolicies/{id}?$expand=scheduledActionsForRule");
        var list = await admin.GetFromJsonAsync<JsonObject>("deviceManagement/deviceCompliancePolicies");
        var delete = await admin.DeleteAsync($"deviceManagement/deviceCompliancePolicies/{id}");
        var gone = await admin.GetAsync($"deviceManagement/deviceCompliancePolicies/{id}");

        Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        Assert.Equal(2, (int)expanded!["version"]!);
        Assert.Equal(12, (int)expanded["passwordMinimumLength"]!);
        Assert.True((bool)expanded["bitLockerEnabled"]!);
        Assert.False((bool)expanded["secureBootEnabled"]!);
        var action = expanded["scheduledActionsForRule"]![0]!["scheduledActionConfigurations"]![0]!;
        Assert.Equal("block", (string?)action["actionType"]);
        Assert.Equal(id, (string?)Assert.Single(list!["value"]!.AsArray())!["id"]);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task PatchDeviceManagement_Settings_ValidatesRangeAndIsReadBack()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));

        var before = await admin.GetFromJsonAsync<JsonObject>("deviceManagement");
        var outOfRange = await admin.PatchAsync("deviceManagement", JsonContent.Create(new JsonObject { ["settings"] = new JsonObject { ["deviceComplianceCheckinThresholdDays"] = 121 } }));
        var ok = await admin.PatchAsync("deviceManagement", JsonContent.Create(new JsonObject { ["settings"] = new JsonObject { ["deviceComplianceCheckinThresholdDays"] = 60, ["secureByDefault"] = true } }));
        var after = await admin.GetFromJsonAsync<JsonObject>("deviceManagement");

        Assert.Equal(30, (int)before!["settings"]!["deviceComplianceCheckinThresholdDays"]!);
        Assert.Equal(HttpStatusCode.BadRequest, outOfRange.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        Assert.Equal(60, (int)after!["settings"]!["deviceComplianceCheckinThresholdDays"]!);
        Assert.True((bool)after["settings"]!["secureByDefault"]!);
    }

    [Fact]
    public async Task ConfigurationProfiles_ConflictingSetting_IsReportedAndNotDelivered()
    {
        var (_, admin, good, bad, groupId) = await ArrangeAsync();
        using var _ = admin;
        using var __ = good;
        using var ___ = bad;
        var ids = new List<string>();
        foreach (var camera in new[] { true, false })
        {
            var profile = await (await admin.PostAsJsonAsync("deviceManagement/deviceConfigurations", new JsonObject
            {
                ["@odata.type"] = "#microsoft.graph.windows10GeneralConfiguration",
                ["displayName"] = $"Camera {camera}",
                ["cameraBlocked"] = camera,
                ["bluetoothBlocked"] = true,
            })).Content.ReadFromJsonAsync<JsonObject>();
            var id = (string)profile!["id"]!;
            ids.Add(id);
            var assigned = await admin.PostAsJsonAsync($"deviceManagement/deviceConfigurations/{id}/assign", new JsonObject
            {
                ["assignments"] = new JsonArray(new JsonObject { ["target"] = new JsonObject { ["@odata.type"] = "#microsoft.graph.groupAssignmentTarget", ["groupId"] = groupId } }),
            });
            Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        }

        var checkIn = await good.CheckInAsync();

        var delivered = Assert.Single(checkIn.Configuration);
        Assert.Equal(("bluetoothBlocked", "true"), (delivered.Setting, delivered.ValueJson));
        var conflict = Assert.Single(checkIn.Conflicts);
        Assert.Equal("cameraBlocked", conflict.Setting);
        Assert.Equal(2, conflict.ValueJsonByPolicyId.Count);
        var states = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/managedDevices/{good.DeviceId}/deviceConfigurationStates");
        Assert.All(states!["value"]!.AsArray(), s => Assert.Equal("conflict", (string?)s!["state"]));
        var overview = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/deviceConfigurations/{ids[0]}/deviceStatusOverview");
        // The group's other device has not checked in since the assignment: pending, not missing.
        Assert.Equal((1, 1), ((int)overview!["conflictCount"]!, (int)overview["pendingCount"]!));
    }
}
