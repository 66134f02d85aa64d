using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Graph;
using Microsoft.Graph.Models;

namespace Intune.AdminGateway.Tests.Graph;

/// <summary>
/// JSON batching, driven by the Graph SDK's <see cref="BatchRequestContentCollection"/> and by raw
/// bodies for what the SDK would never send: each request authorized, audited and answered as if
/// sent alone; a bad batch refused whole with nothing applied.
/// </summary>
public sealed class GraphBatchTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private const string PolicyBody = """{"@odata.type":"#microsoft.graph.windows10CompliancePolicy","displayName":"Batched","passwordRequired":true,"scheduledActionsForRule":[{"ruleName":"PasswordRequired","scheduledActionConfigurations":[{"actionType":"block","gracePeriodHours":0}]}]}""";

    private ScaleUnitTestHost Host => fixture.Host;

    [Fact]
    public async Task SdkBatch_ListsAndCreate_AnswersEachWithItsOwnStatusAndBody()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        var graph = GraphSdkClient.For(Host, tenantId);
        var batch = new BatchRequestContentCollection(graph);
        var list = await batch.AddBatchRequestStepAsync(graph.DeviceManagement.DeviceCompliancePolicies.ToGetRequestInformation());
        var create = await batch.AddBatchRequestStepAsync(graph.Groups.ToPostRequestInformation(new Group { DisplayName = "From a batch" }));
        var devices = await batch.AddBatchRequestStepAsync(graph.DeviceManagement.ManagedDevices.ToGetRequestInformation(r => r.QueryParameters.Top = 5));

        var response = await graph.Batch.PostAsync(batch);
        var statuses = await response.GetResponsesStatusCodesAsync();
        var policies = await response.GetResponseByIdAsync<DeviceCompliancePolicyCollectionResponse>(list);
        var group = await response.GetResponseByIdAsync<Group>(create);
        var deviceList = await response.GetResponseByIdAsync<ManagedDeviceCollectionResponse>(devices);

        Assert.Equal(HttpStatusCode.OK, statuses[list]);
        Assert.Equal(HttpStatusCode.Created, statuses[create]);
        Assert.Equal(HttpStatusCode.OK, statuses[devices]);
        Assert.Empty(policies.Value!);
        Assert.Equal("From a batch", group.DisplayName);
        Assert.NotNull(deviceList.Value);
        var read = await graph.Groups[group.Id].GetAsync();
        Assert.Equal("From a batch", read!.DisplayName);
    }

    [Fact]
    public async Task Batch_ChangeInside_IsAuditedAsIfSentAlone()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId), "beta");

        var answer = await BatchAsync(admin, $$"""{"requests":[{"id":"1","method":"POST","url":"/deviceManagement/deviceCompliancePolicies","headers":{"Content-Type":"application/json"},"body":{{PolicyBody}}}]}""");
        var created = answer["1"];
        var events = (await admin.GetFromJsonAsync<JsonObject>("deviceManagement/auditEvents?$filter=category eq 'Compliance'"))!["value"]!.AsArray();

        Assert.Equal(201, (int)created["status"]!);
        var id = (string)created["body"]!["id"]!;
        Assert.StartsWith($"http://127.0.0.1:{Host.AdminPort}/beta/", (string?)created["headers"]!["Location"], StringComparison.Ordinal);
        Assert.StartsWith($"http://127.0.0.1:{Host.AdminPort}/beta/$metadata#", (string?)created["body"]!["@odata.context"], StringComparison.Ordinal);
        var audit = Assert.Single(events, e => (string?)e!["activityType"] == "Create DeviceCompliancePolicy");
        Assert.Equal(id, (string?)audit!["resources"]!.AsArray().Single()!["resourceId"]);
        Assert.Equal("Success", (string?)audit["activityResult"]);
    }

    [Fact]
    public async Task Batch_RoleWithoutPermission_IsForbiddenPerRequest()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var reader = Host.AdminClient(Host.AdminToken(tenantId, "Read Only Operator"));

        var answer = await BatchAsync(reader, $$"""{"requests":[{"id":"read","method":"GET","url":"deviceManagement/deviceCompliancePolicies"},{"id":"write","method":"POST","url":"/deviceManagement/deviceCompliancePolicies","body":{{PolicyBody}}}]}""");
        var list = await reader.GetFromJsonAsync<JsonObject>("deviceManagement/deviceCompliancePolicies");

        Assert.Equal(200, (int)answer["read"]["status"]!);
        Assert.Equal(403, (int)answer["write"]["status"]!);
        Assert.Equal("Forbidden", (string?)answer["write"]["body"]!["error"]!["code"]);
        Assert.Empty(list!["value"]!.AsArray());
    }

    [Fact]
    public async Task Batch_AnotherTenantsObject_IsNotFoundInside()
    {
        var (owner, _) = await Host.CreateTenantAsync();
        var (stranger, _) = await Host.CreateTenantAsync();
        using var ownerAdmin = Host.AdminClient(Host.AdminToken(owner));
        var group = await (await ownerAdmin.PostAsJsonAsync("groups", new JsonObject { ["displayName"] = "Owner's" })).Content.ReadFromJsonAsync<JsonObject>();
        var groupId = (string)group!["id"]!;
        using var strangerAdmin = Host.AdminClient(Host.AdminToken(stranger));

        var answer = await BatchAsync(strangerAdmin, $$$"""{"requests":[{"id":"1","method":"GET","url":"/groups/{{{groupId}}}"},{"id":"2","method":"DELETE","url":"/groups/{{{groupId}}}"}]}""");
        var still = await ownerAdmin.GetFromJsonAsync<JsonObject>($"groups/{groupId}");

        Assert.Equal(404, (int)answer["1"]["status"]!);
        Assert.Equal(404, (int)answer["2"]["status"]!);
        Assert.Equal("Owner's", (string?)still!["displayName"]);
    }

    [Fact]
    public async Task Batch_DependencyFailed_Is424AndTheDependentDoesNotRun()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));

        var answer = await BatchAsync(admin, """{"requests":[{"id":"2","method":"POST","url":"/groups","body":{"displayName":"Only if 1"},"dependsOn":["1"]},{"id":"1","method":"GET","url":"/groups/no-such-group"},{"id":"3","method":"GET","url":"/deviceManagement/unknownThing"}]}""");
        var groups = await admin.GetFromJsonAsync<JsonObject>("groups");

        Assert.Equal(404, (int)answer["1"]["status"]!);
        Assert.Equal(424, (int)answer["2"]["status"]!);
        Assert.Equal("FailedDependency", (string?)answer["2"]["body"]!["error"]!["code"]);
        Assert.Equal(400, (int)answer["3"]["status"]!);
        Assert.Equal("Resource not found for the segment 'unknownThing'.", (string?)answer["3"]["body"]!["error"]!["message"]);
        Assert.Empty(groups!["value"]!.AsArray());
    }

    [Fact]
    public async Task Batch_DependsOnRunsInDependencyOrder()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));

        var answer = await BatchAsync(admin, """{"requests":[{"id":"list","method":"GET","url":"/groups","dependsOn":["make"]},{"id":"make","method":"POST","url":"/groups","body":{"displayName":"First"}}]}""");

        Assert.Equal(201, (int)answer["make"]["status"]!);
        Assert.Equal("First", (string?)answer["list"]["body"]!["value"]![0]!["displayName"]);
    }

    [Theory]
    [InlineData("cycle", """{"requests":[{"id":"a","method":"POST","url":"/groups","body":{"displayName":"x"},"dependsOn":["b"]},{"id":"b","method":"POST","url":"/groups","body":{"displayName":"y"},"dependsOn":["a"]},{"id":"c","method":"POST","url":"/groups","body":{"displayName":"z"}}]}""", "cycle")]
    [InlineData("unknown dependsOn", """{"requests":[{"id":"a","method":"POST","url":"/groups","body":{"displayName":"x"}},{"id":"b","method":"GET","url":"/groups","dependsOn":["zz"]}]}""", "'zz'")]
    [InlineData("absolute url", """{"requests":[{"id":"a","method":"POST","url":"/groups","body":{"displayName":"x"}},{"id":"b","method":"GET","url":"https://evil.example/v1.0/groups"}]}""", "relative")]
    [InlineData("dot segments", """{"requests":[{"id":"a","method":"POST","url":"/groups","body":{"displayName":"x"}},{"id":"b","method":"GET","url":"/../admin-center/session"}]}""", "'..'")]
    [InlineData("nested batch", """{"requests":[{"id":"a","method":"POST","url":"/groups","body":{"displayName":"x"}},{"id":"b","method":"POST","url":"/$batch","body":{"requests":[]}}]}""", "batch inside a batch")]
    [InlineData("duplicate id", """{"requests":[{"id":"a","method":"POST","url":"/groups","body":{"displayName":"x"}},{"id":"a","method":"GET","url":"/groups"}]}""", "'a'")]
    [InlineData("bad method", """{"requests":[{"id":"a","method":"POST","url":"/groups","body":{"displayName":"x"}},{"id":"b","method":"TRACE","url":"/groups"}]}""", "TRACE")]
    [InlineData("no url", """{"requests":[{"id":"a","method":"POST","url":"/groups","body":{"displayName":"x"}},{"id":"b","method":"GET"}]}""", "no 'url'")]
    [InlineData("no requests", """{"value":[]}""", "'requests'")]
    public async Task BadBatch_Is400NamingTheProblem_AndNothingRuns(string why, string body, string expected)
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));

        var response = await admin.PostAsync("$batch", Json(body));
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;
        var groups = await admin.GetFromJsonAsync<JsonObject>("groups");

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, why);
        Assert.Equal("BadRequest", (string?)error["code"]);
        Assert.Contains(expected, (string?)error["message"], StringComparison.Ordinal);
        Assert.Empty(groups!["value"]!.AsArray());
    }

    [Fact]
    public async Task BatchOf21_Is400AndNothingRuns()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        var requests = new JsonArray([.. Enumerable.Range(1, 21).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["method"] = "POST",
            ["url"] = "/groups",
            ["body"] = new JsonObject { ["displayName"] = $"G{i}" },
        })]);

        var response = await admin.PostAsJsonAsync("$batch", new JsonObject { ["requests"] = requests });
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;
        var groups = await admin.GetFromJsonAsync<JsonObject>("groups");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 20", (string?)error["message"], StringComparison.Ordinal);
        Assert.Empty(groups!["value"]!.AsArray());
    }

    [Fact]
    public async Task Batch_WithoutToken_IsOne401()
    {
        using var anonymous = Host.AdminClient(null);

        var response = await anonymous.PostAsync("$batch", Json("""{"requests":[{"id":"1","method":"GET","url":"/groups"}]}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("InvalidAuthenticationToken", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["code"]);
    }

    /// <summary>Posts a raw batch; the responses by id.</summary>
    internal static async Task<Dictionary<string, JsonObject>> BatchAsync(HttpClient admin, string body)
    {
        var response = await admin.PostAsync("$batch", Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!["responses"]!.AsArray().ToDictionary(r => (string)r!["id"]!, r => r!.AsObject());
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
