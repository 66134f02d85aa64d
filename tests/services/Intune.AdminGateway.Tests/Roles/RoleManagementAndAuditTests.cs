using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Auth;

namespace Intune.AdminGateway.Tests.Roles;

/// <summary>Custom roles and assignments decide what a caller may do; every change leaves an auditEvent.</summary>
public sealed class RoleManagementAndAuditTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private ScaleUnitTestHost Host => fixture.Host;

    [Fact]
    public async Task RoleDefinitions_List_IncludesBuiltInsAsBuiltIn()
    {
        using var admin = Host.AdminClient(Host.AdminToken(Guid.NewGuid().ToString(), "Read Only Operator"));

        var list = (await admin.GetFromJsonAsync<JsonObject>("deviceManagement/roleDefinitions"))!["value"]!.AsArray();

        var names = list.Where(r => (bool)r!["isBuiltIn"]!).Select(r => (string)r!["displayName"]!).ToList();
        Assert.Equal(BuiltInRoles.Permissions.Keys.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        Assert.All(list, r => Assert.Equal("#microsoft.graph.deviceAndAppManagementRoleDefinition", (string?)r!["@odata.type"]));
    }

    [Fact]
    public async Task CustomRole_AssignedByUpn_GrantsExactlyItsOperations()
    {
        var tenantId = Guid.NewGuid().ToString();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        using var helper = Host.AdminClient(Token(tenantId, "helper@contoso.example"));
        var before = await helper.GetAsync("deviceManagement/managedDevices");

        var role = await CreateRoleAsync(admin, "Device readers", AdminPermissions.ManagedDevicesRead);
        var assignment = await admin.PostAsync("deviceManagement/roleAssignments", Json(new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.deviceAndAppManagementRoleAssignment",
            ["displayName"] = "Helpers read devices",
            ["members"] = new JsonArray("HELPER@contoso.example"),
            ["resourceScopes"] = new JsonArray("/"),
            ["roleDefinition@odata.bind"] = $"https://graph.microsoft.com/v1.0/deviceManagement/roleDefinitions/{role}",
        }));
        var after = await helper.GetAsync("deviceManagement/managedDevices");
        var notGranted = await helper.GetAsync("deviceManagement/roleDefinitions");

        Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        Assert.Equal(HttpStatusCode.Created, assignment.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, notGranted.StatusCode);
    }

    [Fact]
    public async Task RoleChanges_WriteAuditEventsWithActorCorrelationAndModifiedProperties()
    {
        var tenantId = Guid.NewGuid().ToString();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        var correlation = Guid.NewGuid();
        var since = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

        var role = await CreateRoleAsync(admin, "Auditors", AdminPermissions.AuditRead);
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"deviceManagement/roleDefinitions/{role}")
        {
            Content = Json(new JsonObject { ["@odata.type"] = "#microsoft.graph.deviceAndAppManagementRoleDefinition", ["displayName"] = "Audit readers" }),
        };
        patch.Headers.Add("client-request-id", correlation.ToString());
        var patched = await admin.SendAsync(patch);
        var events = (await admin.GetFromJsonAsync<JsonObject>(
            $"deviceManagement/auditEvents?$filter={Uri.EscapeDataString($"category eq 'Role' and activityDateTime ge {since}")}"))!["value"]!.AsArray();
        var patchEvent = events.Single(e => (string?)e!["activityOperationType"] == "Patch")!;
        var byId = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/auditEvents/{(string)patchEvent["id"]!}");
        var categories = (await admin.GetFromJsonAsync<JsonObject>("deviceManagement/auditEvents/getAuditCategories()"))!["value"]!.AsArray();
        var types = (await admin.GetFromJsonAsync<JsonObject>("deviceManagement/auditEvents/getAuditActivityTypes(category='Role')"))!["value"]!.AsArray();

        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        Assert.Equal(2, events.Count);
        Assert.Equal("Patch RoleDefinition", (string?)patchEvent["activityType"]);
        Assert.Equal("Success", (string?)patchEvent["activityResult"]);
        Assert.Equal(correlation.ToString(), (string?)patchEvent["correlationId"]);
        Assert.Equal("admin@contoso.example", (string?)patchEvent["actor"]!["userPrincipalName"]);
        Assert.Equal("127.0.0.1", (string?)patchEvent["actor"]!["ipAddress"]);
        var resource = patchEvent["resources"]!.AsArray().Single()!;
        Assert.Equal(role, (string?)resource["resourceId"]);
        var displayName = resource["modifiedProperties"]!.AsArray().Single(p => (string?)p!["displayName"] == "displayName")!;
        Assert.Equal("Auditors", (string?)displayName["oldValue"]);
        Assert.Equal("Audit readers", (string?)displayName["newValue"]);
        Assert.Equal((string?)patchEvent["id"], (string?)byId!["id"]);
        Assert.Contains("Role", categories.Select(c => (string?)c));
        Assert.Equal(["Create RoleDefinition", "Patch RoleDefinition"], types.Select(t => (string?)t));
    }

    [Fact]
    public async Task RoleDefinition_BuiltInDelete_Is400AndRecordedAsFailure()
    {
        var tenantId = Guid.NewGuid().ToString();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        var builtIn = (await admin.GetFromJsonAsync<JsonObject>("deviceManagement/roleDefinitions"))!["value"]!.AsArray().First(r => (bool)r!["isBuiltIn"]!)!;

        var response = await admin.DeleteAsync($"deviceManagement/roleDefinitions/{(string)builtIn["id"]!}");
        var events = (await admin.GetFromJsonAsync<JsonObject>("deviceManagement/auditEvents"))!["value"]!.AsArray();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("built-in", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["message"]);
        Assert.Equal("Failure", (string?)events.Single()!["activityResult"]);
    }

    [Fact]
    public async Task RoleDefinition_OfAnotherTenant_Is404()
    {
        using var owner = Host.AdminClient(Host.AdminToken(Guid.NewGuid().ToString()));
        using var other = Host.AdminClient(Host.AdminToken(Guid.NewGuid().ToString()));
        var role = await CreateRoleAsync(owner, "Private", AdminPermissions.AuditRead);

        var get = await other.GetAsync($"deviceManagement/roleDefinitions/{role}");
        var delete = await other.DeleteAsync($"deviceManagement/roleDefinitions/{role}");

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
    }

    [Fact]
    public async Task RoleDefinition_CreateByReadOnlyOperator_Is403()
    {
        using var reader = Host.AdminClient(Host.AdminToken(Guid.NewGuid().ToString(), "Read Only Operator"));

        var response = await reader.PostAsync("deviceManagement/roleDefinitions", Json(RoleBody("Nope", AdminPermissions.AuditRead)));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains(AdminPermissions.RolesWrite, (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["message"]);
    }

    [Theory]
    [InlineData("""{"@odata.type":"#microsoft.graph.deviceAndAppManagementRoleDefinition","displayName":"x","rolePermissions":[{"resourceActions":[{"allowedResourceActions":["Microsoft.Intune_Everything_Forever"]}]}]}""", "Microsoft.Intune_Everything_Forever")]
    [InlineData("""{"@odata.type":"#microsoft.graph.deviceAndAppManagementRoleDefinition","displayName":"x","permissions":[]}""", "'permissions' does not exist")]
    [InlineData("""{"displayName":"x"}""", "@odata.type")]
    [InlineData("""{"@odata.type":"#microsoft.graph.deviceAndAppManagementRoleDefinition","displayName":"x","isBuiltIn":true}""", "isBuiltIn")]
    [InlineData("""{"@odata.type":"#microsoft.graph.deviceAndAppManagementRoleDefinition","displayName":""", "not valid JSON")]
    public async Task RoleDefinition_CreateWithBadBody_Is400NamingTheProblem(string body, string expected)
    {
        using var admin = Host.AdminClient(Host.AdminToken(Guid.NewGuid().ToString()));

        var response = await admin.PostAsync("deviceManagement/roleDefinitions", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["message"]);
    }

    [Fact]
    public async Task ResourceOperations_List_NamesEveryIntuneOperation()
    {
        using var admin = Host.AdminClient(Host.AdminToken(Guid.NewGuid().ToString(), "Read Only Operator"));

        var list = (await admin.GetFromJsonAsync<JsonObject>("deviceManagement/resourceOperations"))!["value"]!.AsArray();

        Assert.Equal(AdminPermissions.All.Order(StringComparer.Ordinal), list.Select(o => (string)o!["id"]!).Order(StringComparer.Ordinal));
        Assert.Contains(list, o => (string?)o!["resourceName"] == "ManagedDevices" && (string?)o["actionName"] == "Read");
    }

    private string Token(string tenantId, string upn) =>
        Host.Services.GetRequiredService<AdminTokenIssuer>().Issue(tenantId, ["No Built-in Role"], upn, TimeSpan.FromHours(1));

    private static JsonObject RoleBody(string name, params string[] allowed) => new()
    {
        ["@odata.type"] = "#microsoft.graph.deviceAndAppManagementRoleDefinition",
        ["displayName"] = name,
        ["description"] = "Made by a test",
        ["rolePermissions"] = new JsonArray(new JsonObject
        {
            ["resourceActions"] = new JsonArray(new JsonObject
            {
                ["allowedResourceActions"] = new JsonArray(allowed.Select(a => (JsonNode?)a).ToArray()),
                ["notAllowedResourceActions"] = new JsonArray(),
            }),
        }),
    };

    private static async Task<string> CreateRoleAsync(HttpClient admin, string name, params string[] allowed)
    {
        var response = await admin.PostAsync("deviceManagement/roleDefinitions", Json(RoleBody(name, allowed)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.False((bool)created["isBuiltIn"]!);
        return (string)created["id"]!;
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");
}
