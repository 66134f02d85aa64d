using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Intune.AdminGateway.Tests.EnrollmentConfigurations;

/// <summary>deviceEnrollmentConfigurations over REST after the mapping moved into the application layer.</summary>
public sealed class EnrollmentConfigurationsRestTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private ScaleUnitTestHost Host => fixture.Host;

    [Fact]
    public async Task Create_IsAuditedWithTheNewPropertiesAndPatchWithOldAndNewValues()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));

        var created = await admin.PostAsync("deviceManagement/deviceEnrollmentConfigurations", Json("""{"@odata.type":"#microsoft.graph.deviceEnrollmentLimitConfiguration","displayName":"Two each","limit":2}"""));
        var id = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var patched = await admin.PatchAsync($"deviceManagement/deviceEnrollmentConfigurations/{id}", Json("""{"limit":4}"""));
        var events = (await admin.GetFromJsonAsync<JsonObject>("deviceManagement/auditEvents?$filter=category eq 'Enrollment'"))!["value"]!.AsArray();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        var patch = events.Single(e => (string?)e!["activityType"] == "Patch DeviceEnrollmentConfiguration")!;
        var limit = patch["resources"]!.AsArray().Single()!["modifiedProperties"]!.AsArray().Single(p => (string?)p!["displayName"] == "limit")!;
        Assert.Equal("2", (string?)limit["oldValue"]);
        Assert.Equal("4", (string?)limit["newValue"]);
        var create = events.Single(e => (string?)e!["activityType"] == "Create DeviceEnrollmentConfiguration")!;
        Assert.Equal(id, (string?)create["resources"]!.AsArray().Single()!["resourceId"]);
    }

    [Fact]
    public async Task TenantNotInThisUnit_ListsNothingAndCreateIs400NotA500()
    {
        using var stranger = Host.AdminClient(Host.AdminToken(Guid.NewGuid().ToString()));

        var list = await stranger.GetFromJsonAsync<JsonObject>("deviceManagement/deviceEnrollmentConfigurations");
        var create = await stranger.PostAsync("deviceManagement/deviceEnrollmentConfigurations", Json("""{"@odata.type":"#microsoft.graph.deviceEnrollmentLimitConfiguration","limit":2}"""));
        var get = await stranger.GetAsync($"deviceManagement/deviceEnrollmentConfigurations/{Guid.NewGuid()}");

        Assert.Empty(list!["value"]!.AsArray());
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        Assert.Contains("does not exist", (string?)(await create.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["message"]);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Assignments_ReadBackWhatAssignSet()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId), "beta");
        var groupId = (string)(await (await admin.PostAsync("groups", Json("""{"displayName":"Pilot"}"""))).Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var id = (string)(await (await admin.PostAsync("deviceManagement/deviceEnrollmentConfigurations", Json("""{"@odata.type":"#microsoft.graph.deviceEnrollmentLimitConfiguration","displayName":"Three","limit":3}"""))).Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        var assigned = await admin.PostAsync($"deviceManagement/deviceEnrollmentConfigurations/{id}/assign", Json($$$"""{"enrollmentConfigurationAssignments":[{"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"{{{groupId}}}"}}]}"""));
        var assignments = (await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/deviceEnrollmentConfigurations/{id}/assignments"))!["value"]!.AsArray();
        var missing = await admin.GetAsync($"deviceManagement/deviceEnrollmentConfigurations/{Guid.NewGuid()}/assignments");

        Assert.Equal(HttpStatusCode.NoContent, assigned.StatusCode);
        var target = Assert.Single(assignments)!["target"]!;
        Assert.Equal("#microsoft.graph.groupAssignmentTarget", (string?)target["@odata.type"]);
        Assert.Equal(groupId, (string?)target["groupId"]);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
