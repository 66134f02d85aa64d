using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Graph;
using Microsoft.Graph.Models.ODataErrors;

namespace Intune.AdminGateway.Tests.Graph;

/// <summary>
/// The two Graph roots and what an unknown path answers: <c>/beta</c> serves what <c>/v1.0</c>
/// serves with its own <c>@odata.context</c>, and every unknown route is Graph's envelope, never an empty body.
/// </summary>
public sealed class GraphRoutesTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private ScaleUnitTestHost Host => fixture.Host;

    [Theory]
    [InlineData("v1.0")]
    [InlineData("beta")]
    public async Task Collections_UnderEitherRoot_CarryThatRootsContextAndNextLinks(string version)
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId), version);

        var policies = await admin.GetFromJsonAsync<JsonObject>("deviceManagement/deviceCompliancePolicies");
        var created = await admin.PostAsync("groups", Json("""{"displayName":"Pilot"}"""));
        var group = await created.Content.ReadFromJsonAsync<JsonObject>();

        var root = $"http://127.0.0.1:{Host.AdminPort}/{version}/";
        Assert.Equal($"{root}$metadata#deviceManagement/deviceCompliancePolicies", (string?)policies!["@odata.context"]);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.StartsWith(root, created.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.StartsWith($"{root}$metadata#", (string?)group!["@odata.context"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task BetaAndV1_ServeTheSameObjects()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var v1 = Host.AdminClient(Host.AdminToken(tenantId));
        using var beta = Host.AdminClient(Host.AdminToken(tenantId), "beta");

        var created = await (await beta.PostAsync("groups", Json("""{"displayName":"Made in beta"}"""))).Content.ReadFromJsonAsync<JsonObject>();
        var read = await v1.GetFromJsonAsync<JsonObject>($"groups/{(string)created!["id"]!}");

        Assert.Equal("Made in beta", (string?)read!["displayName"]);
    }

    [Theory]
    [InlineData("v1.0", "deviceManagement/managedDevicez", "managedDevicez")]
    [InlineData("beta", "deviceManagement/managedDevicez", "managedDevicez")]
    [InlineData("v1.0", "deviceManagement/deviceCompliancePolicies/abc/nonsense", "nonsense")]
    [InlineData("beta", "nothingHere", "nothingHere")]
    [InlineData("v1.0", "deviceManagement/managedDevices/abc/retire/more", "more")]
    public async Task UnknownSegment_Is400NamingTheSegment(string version, string path, string segment)
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId), version);

        var response = await admin.GetAsync(path);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("BadRequest", (string?)error["code"]);
        Assert.Equal($"Resource not found for the segment '{segment}'.", (string?)error["message"]);
        Assert.NotNull(error["innerError"]!["request-id"]);
    }

    [Fact]
    public async Task UnknownSegment_ThroughTheGraphSdk_IsAnODataErrorWithTheMessage()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        var graph = GraphSdkClient.For(Host, tenantId);

        // exchangeConnectors is a Graph collection this gateway does not serve: the SDK must read why.
        var error = await Assert.ThrowsAsync<ODataError>(() => graph.DeviceManagement.ExchangeConnectors.GetAsync());

        Assert.Equal(400, error.ResponseStatusCode);
        Assert.Equal("Resource not found for the segment 'exchangeConnectors'.", error.Error!.Message);
    }

    [Fact]
    public async Task KnownPathWithAnotherMethod_Is405NamingTheAllowedMethods()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId), "beta");

        var response = await admin.PutAsync("deviceManagement/deviceCompliancePolicies", Json("{}"));
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("PUT", (string?)error["message"]);
        Assert.Contains("GET", response.Content.Headers.Allow);
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("/admin-center/nothing")]
    [InlineData("/v2.0/deviceManagement/managedDevices")]
    public async Task UnknownPathElsewhereOnTheAdminPort_Is404Envelope(string path)
    {
        using var client = new HttpClient();

        var response = await client.PostAsync($"http://127.0.0.1:{Host.AdminPort}{path}", Json("{}"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NotFound", (string?)JsonNode.Parse(text)!["error"]!["code"]);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
