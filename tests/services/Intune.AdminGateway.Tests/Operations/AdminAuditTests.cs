using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Intune.AdminGateway.Tests.Operations;

/// <summary>Every change over REST writes exactly one audit event, Success or Failure, named by its operation.</summary>
public sealed class AdminAuditTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private ScaleUnitTestHost Host => fixture.Host;

    [Fact]
    public async Task GroupAndUserChanges_OverRest_EachWriteOneAuditEvent()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));

        var created = await admin.PostAsJsonAsync("groups", new JsonObject { ["displayName"] = "Sales" });
        var groupId = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var added = await admin.PostAsJsonAsync($"groups/{groupId}/members/$ref", new JsonObject { ["@odata.id"] = "https://graph.microsoft.com/v1.0/users/adele@contoso.example" });
        var deleted = await admin.DeleteAsync("users/adele@contoso.example");
        var events = await EventsAsync(admin, "category eq 'Other'");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.NoContent, HttpStatusCode.NoContent), (created.StatusCode, added.StatusCode, deleted.StatusCode));
        Assert.Equal(groupId, Resource(Assert.Single(events, e => Activity(e) == ("Create Group", "Success"))));
        Assert.Equal(groupId, Resource(Assert.Single(events, e => Activity(e) == ("addMembers Group", "Success"))));
        Assert.Equal("adele@contoso.example", Resource(Assert.Single(events, e => Activity(e) == ("Delete User", "Success"))));
    }

    [Fact]
    public async Task RefusedChange_OverRest_WritesOneFailureEvent()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        var missing = Guid.NewGuid().ToString();

        var invalid = await admin.PostAsJsonAsync("groups", new JsonObject { ["description"] = "no name" });
        var notFound = await admin.DeleteAsync($"groups/{missing}");
        var events = await EventsAsync(admin, "category eq 'Other'");

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.NotFound), (invalid.StatusCode, notFound.StatusCode));
        Assert.Single(events, e => Activity(e) == ("Create Group", "Failure"));
        Assert.Equal(missing, Resource(Assert.Single(events, e => Activity(e) == ("Delete Group", "Failure"))));
        Assert.DoesNotContain(events, e => (string?)e["activityResult"] == "Success");
    }

    [Fact]
    public async Task ChangeRefusedForPermission_OverRest_IsAFailureEventAndA403()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var reader = Host.AdminClient(Host.AdminToken(tenantId, "Read Only Operator"));
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));

        var refused = await reader.PostAsJsonAsync("groups", new JsonObject { ["displayName"] = "Not allowed" });
        var events = await EventsAsync(admin, "activityType eq 'Create Group'");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("Failure", (string?)Assert.Single(events)["activityResult"]);
    }

    private static async Task<List<JsonNode>> EventsAsync(HttpClient admin, string filter) =>
        (await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/auditEvents?$filter={Uri.EscapeDataString(filter)}"))!["value"]!.AsArray().Select(e => e!).ToList();

    private static (string?, string?) Activity(JsonNode auditEvent) => ((string?)auditEvent["activityType"], (string?)auditEvent["activityResult"]);

    private static string? Resource(JsonNode auditEvent) => (string?)auditEvent["resources"]!.AsArray().Single()!["resourceId"];
}
