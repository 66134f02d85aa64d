using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Auth;

namespace Intune.AdminGateway.Tests.RoleScopeTags;

/// <summary>
/// Beta roleScopeTags with the built-in Default (id 0), tags on role assignments (checked against the
/// caller's tenant), scope-tag-aware visibility, and roleDefinitions/{id}/roleAssignments.
/// </summary>
public sealed class RoleScopeTagsTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private ScaleUnitTestHost Host => fixture.Host;

    [Fact]
    public async Task Beta_ListsTheBuiltInDefault_AndV1HasNoSuchSegment()
    {
        var tenantId = Guid.NewGuid().ToString();
        using var beta = Host.AdminClient(Host.AdminToken(tenantId), "beta");
        using var v1 = Host.AdminClient(Host.AdminToken(tenantId));

        var tags = (await beta.GetFromJsonAsync<JsonObject>("deviceManagement/roleScopeTags"))!["value"]!.AsArray();
        var onV1 = await v1.GetAsync("deviceManagement/roleScopeTags");

        var tag = Assert.Single(tags)!;
        Assert.Equal("0", (string?)tag["id"]);
        Assert.Equal("Default", (string?)tag["displayName"]);
        Assert.True((bool)tag["isBuiltIn"]!);
        Assert.Equal(HttpStatusCode.BadRequest, onV1.StatusCode);
        Assert.Contains("'roleScopeTags'", await onV1.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreatePatchDelete_WithTheirDocumentedStatuses_AndDefaultIsFixed()
    {
        var tenantId = Guid.NewGuid().ToString();
        using var beta = Host.AdminClient(Host.AdminToken(tenantId), "beta");

        var created = await beta.PostAsync("deviceManagement/roleScopeTags", Json("""{"@odata.type":"#microsoft.graph.roleScopeTag","displayName":"Paris","description":"Paris office"}"""));
        var id = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var patched = await beta.PatchAsync($"deviceManagement/roleScopeTags/{id}", Json("""{"displayName":"Paris Nord"}"""));
        var read = await beta.GetFromJsonAsync<JsonObject>($"deviceManagement/roleScopeTags/{id}");
        var duplicate = await beta.PostAsync("deviceManagement/roleScopeTags", Json("""{"displayName":"paris nord"}"""));
        var patchDefault = await beta.PatchAsync("deviceManagement/roleScopeTags/0", Json("""{"displayName":"Mine"}"""));
        var deleteDefault = await beta.DeleteAsync("deviceManagement/roleScopeTags/0");
        var deleted = await beta.DeleteAsync($"deviceManagement/roleScopeTags/{id}");
        var gone = await beta.GetAsync($"deviceManagement/roleScopeTags/{id}");
        var next = await (await beta.PostAsync("deviceManagement/roleScopeTags", Json("""{"displayName":"Lyon"}"""))).Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("1", id);
        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        Assert.Equal("Paris Nord", (string?)read!["displayName"]);
        Assert.Equal("Paris office", (string?)read["description"]);
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, patchDefault.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, deleteDefault.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("2", (string?)next!["id"]);
    }

    [Fact]
    public async Task RoleAssignment_WithAnotherTenantsScopeTag_Is400AndNothingIsCreated()
    {
        var owner = Guid.NewGuid().ToString();
        var stranger = Guid.NewGuid().ToString();
        using var ownerAdmin = Host.AdminClient(Host.AdminToken(owner), "beta");
        using var strangerAdmin = Host.AdminClient(Host.AdminToken(stranger), "beta");
        var ownersTag = (string)(await (await ownerAdmin.PostAsync("deviceManagement/roleScopeTags", Json("""{"displayName":"Owner only"}"""))).Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var role = await BuiltInRoleIdAsync(strangerAdmin, "Read Only Operator");

        var response = await strangerAdmin.PostAsync("deviceManagement/roleAssignments", Json(Assignment("Stolen tag", role, "someone@contoso.example", ownersTag)));
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;
        var assignments = (await strangerAdmin.GetFromJsonAsync<JsonObject>("deviceManagement/roleAssignments"))!["value"]!.AsArray();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"'{ownersTag}'", (string?)error["message"], StringComparison.Ordinal);
        Assert.Empty(assignments);
    }

    [Fact]
    public async Task RoleAssignment_TagsShownInBetaOnly_AndListedUnderItsRoleDefinition()
    {
        var tenantId = Guid.NewGuid().ToString();
        using var beta = Host.AdminClient(Host.AdminToken(tenantId), "beta");
        using var v1 = Host.AdminClient(Host.AdminToken(tenantId));
        var tag = (string)(await (await beta.PostAsync("deviceManagement/roleScopeTags", Json("""{"displayName":"Berlin"}"""))).Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var role = await BuiltInRoleIdAsync(beta, "Help Desk Operator");
        var other = await BuiltInRoleIdAsync(beta, "Read Only Operator");

        var created = await beta.PostAsync("deviceManagement/roleAssignments", Json(Assignment("Berlin helpdesk", role, "berlin@contoso.example", tag)));
        var id = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var inBeta = await beta.GetFromJsonAsync<JsonObject>($"deviceManagement/roleAssignments/{id}");
        var inV1 = await v1.GetFromJsonAsync<JsonObject>($"deviceManagement/roleAssignments/{id}");
        var underRole = (await beta.GetFromJsonAsync<JsonObject>($"deviceManagement/roleDefinitions/{role}/roleAssignments"))!["value"]!.AsArray();
        var underOther = (await beta.GetFromJsonAsync<JsonObject>($"deviceManagement/roleDefinitions/{other}/roleAssignments"))!["value"]!.AsArray();
        var underNothing = await beta.GetAsync("deviceManagement/roleDefinitions/no-such-role/roleAssignments");
        var deleteUsedTag = await beta.DeleteAsync($"deviceManagement/roleScopeTags/{tag}");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal([tag], inBeta!["roleScopeTagIds"]!.AsArray().Select(t => (string)t!));
        Assert.False(inV1!.ContainsKey("roleScopeTagIds"));
        Assert.Equal(id, (string?)Assert.Single(underRole)!["id"]);
        Assert.Empty(underOther);
        Assert.Equal(HttpStatusCode.NotFound, underNothing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, deleteUsedTag.StatusCode);
    }

    [Fact]
    public async Task ScopedAdmin_SeesOnlyTheTagsOfTheirAssignments()
    {
        var tenantId = Guid.NewGuid().ToString();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId), "beta");
        var paris = (string)(await (await admin.PostAsync("deviceManagement/roleScopeTags", Json("""{"displayName":"Paris"}"""))).Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var lyon = (string)(await (await admin.PostAsync("deviceManagement/roleScopeTags", Json("""{"displayName":"Lyon"}"""))).Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var role = await BuiltInRoleIdAsync(admin, "Read Only Operator");
        var assigned = await admin.PostAsync("deviceManagement/roleAssignments", Json(Assignment("Paris readers", role, "paris@contoso.example", paris)));
        using var scoped = Host.AdminClient(Host.Services.GetRequiredService<AdminTokenIssuer>().Issue(tenantId, ["No Built-in Role"], "paris@contoso.example", TimeSpan.FromHours(1)), "beta");

        var visible = (await scoped.GetFromJsonAsync<JsonObject>("deviceManagement/roleScopeTags"))!["value"]!.AsArray();
        var other = await scoped.GetAsync($"deviceManagement/roleScopeTags/{lyon}");
        var all = (await admin.GetFromJsonAsync<JsonObject>("deviceManagement/roleScopeTags"))!["value"]!.AsArray();

        Assert.Equal(HttpStatusCode.Created, assigned.StatusCode);
        Assert.Equal([paris], visible.Select(t => (string)t!["id"]!));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(["0", paris, lyon], all.Select(t => (string)t!["id"]!));
    }

    [Fact]
    public async Task Policies_CarryTags_AndAScopedAdminReachesOnlyTheirs()
    {
        var tenantId = Guid.NewGuid().ToString();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId), "beta");
        using var v1 = Host.AdminClient(Host.AdminToken(tenantId));
        var paris = (string)(await (await admin.PostAsync("deviceManagement/roleScopeTags", Json("""{"displayName":"Paris"}"""))).Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var tagged = await CreatePolicyAsync(admin, "Paris policy", paris);
        var untagged = await CreatePolicyAsync(admin, "Everyone's policy");
        var role = await BuiltInRoleIdAsync(admin, "Read Only Operator");
        await admin.PostAsync("deviceManagement/roleAssignments", Json(Assignment("Paris readers", role, "paris@contoso.example", paris)));
        using var scoped = Host.AdminClient(Host.Services.GetRequiredService<AdminTokenIssuer>().Issue(tenantId, ["No Built-in Role"], "paris@contoso.example", TimeSpan.FromHours(1)), "beta");

        var seen = (await scoped.GetFromJsonAsync<JsonObject>("deviceManagement/deviceCompliancePolicies"))!["value"]!.AsArray();
        var outOfScope = await scoped.GetAsync($"deviceManagement/deviceCompliancePolicies/{untagged}");
        var outOfScopeReport = await scoped.GetAsync($"deviceManagement/deviceCompliancePolicies/{untagged}/deviceStatuses");
        var inBeta = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/deviceCompliancePolicies/{tagged}");
        var inV1 = await v1.GetFromJsonAsync<JsonObject>($"deviceManagement/deviceCompliancePolicies/{tagged}");
        var filtered = (await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/deviceCompliancePolicies?$filter=roleScopeTagIds/any(t:t eq '{paris}')"))!["value"]!.AsArray();

        Assert.Equal([tagged], seen.Select(p => (string)p!["id"]!));
        Assert.Equal(HttpStatusCode.NotFound, outOfScope.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, outOfScopeReport.StatusCode);
        Assert.Equal([paris], inBeta!["roleScopeTagIds"]!.AsArray().Select(t => (string)t!));
        Assert.False(inV1!.ContainsKey("roleScopeTagIds"));
        Assert.Equal([tagged], filtered.Select(p => (string)p!["id"]!));
    }

    [Fact]
    public async Task Policy_WithAnotherTenantsScopeTag_Is400AndNothingIsCreated()
    {
        var owner = Guid.NewGuid().ToString();
        var stranger = Guid.NewGuid().ToString();
        using var ownerAdmin = Host.AdminClient(Host.AdminToken(owner), "beta");
        using var strangerAdmin = Host.AdminClient(Host.AdminToken(stranger), "beta");
        var ownersTag = (string)(await (await ownerAdmin.PostAsync("deviceManagement/roleScopeTags", Json("""{"displayName":"Owner only"}"""))).Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        var response = await strangerAdmin.PostAsync("deviceManagement/deviceCompliancePolicies", Json(PolicyBody("Stolen", ownersTag)));
        var policies = (await strangerAdmin.GetFromJsonAsync<JsonObject>("deviceManagement/deviceCompliancePolicies"))!["value"]!.AsArray();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("roleScopeTagIds", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(policies);
    }

    private static async Task<string> CreatePolicyAsync(HttpClient admin, string name, params string[] tags)
    {
        var response = await admin.PostAsync("deviceManagement/deviceCompliancePolicies", Json(PolicyBody(name, tags)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
    }

    private static JsonObject PolicyBody(string name, params string[] tags)
    {
        var body = JsonNode.Parse("""{"@odata.type":"#microsoft.graph.windows10CompliancePolicy","passwordRequired":true,"scheduledActionsForRule":[{"ruleName":"PasswordRequired","scheduledActionConfigurations":[{"actionType":"block","gracePeriodHours":0}]}]}""")!.AsObject();
        body["displayName"] = name;
        if (tags.Length > 0)
        {
            body["roleScopeTagIds"] = new JsonArray([.. tags.Select(t => (JsonNode)t)]);
        }

        return body;
    }

    private static JsonObject Assignment(string name, string roleId, string member, params string[] tags) => new()
    {
        ["@odata.type"] = "#microsoft.graph.deviceAndAppManagementRoleAssignment",
        ["displayName"] = name,
        ["members"] = new JsonArray(member),
        ["resourceScopes"] = new JsonArray("/"),
        ["roleScopeTagIds"] = new JsonArray([.. tags.Select(t => (JsonNode)t)]),
        ["roleDefinition@odata.bind"] = $"https://graph.microsoft.com/beta/deviceManagement/roleDefinitions/{roleId}",
    };

    private static async Task<string> BuiltInRoleIdAsync(HttpClient admin, string name) =>
        (string)(await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/roleDefinitions?$filter=displayName eq '{name}'"))!["value"]![0]!["id"]!;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static StringContent Json(JsonObject body) => Json(body.ToJsonString());
}
