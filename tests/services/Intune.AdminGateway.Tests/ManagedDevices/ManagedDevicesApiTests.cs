using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Intune.Device.V1;

namespace Intune.AdminGateway.Tests.ManagedDevices;

/// <summary>Graph REST for managed devices: auth, tenant scoping, paging and errors.</summary>
public sealed class ManagedDevicesApiTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private ScaleUnitTestHost Host => fixture.Host;

    [Fact]
    public async Task List_WithoutToken_Is401WithGraphErrorEnvelope()
    {
        using var anonymous = Host.AdminClient(bearerToken: null);

        var response = await anonymous.GetAsync("deviceManagement/managedDevices");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;
        Assert.Equal("InvalidAuthenticationToken", (string?)error["code"]);
        Assert.False(string.IsNullOrEmpty((string?)error["innerError"]!["request-id"]));
    }

    [Fact]
    public async Task List_WithTamperedToken_Is401()
    {
        var token = Host.AdminToken(Guid.NewGuid().ToString());
        using var client = Host.AdminClient(token[..^4] + (token.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA"));

        var response = await client.GetAsync("deviceManagement/managedDevices");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Get_DeviceOfAnotherTenant_Is404()
    {
        var (_, token) = await Host.CreateTenantAsync();
        using var device = Host.NewDevice();
        var enrolled = await device.EnrollAsync(token);
        using var otherAdmin = Host.AdminClient(Host.AdminToken(Guid.NewGuid().ToString()));

        var response = await otherAdmin.GetAsync($"deviceManagement/managedDevices/{enrolled.DeviceId}");
        var list = await otherAdmin.GetFromJsonAsync<JsonObject>("deviceManagement/managedDevices");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("ResourceNotFound", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["code"]);
        Assert.Empty(list!["value"]!.AsArray());
    }

    [Fact]
    public async Task List_WithTop_PagesThroughEveryDeviceByAbsoluteNextLink()
    {
        var (tenantId, token) = await Host.CreateTenantAsync();
        var enrolledIds = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            using var device = Host.NewDevice((Platform)(1 + (i % 5)), i);
            enrolledIds.Add((await device.EnrollAsync(token)).DeviceId);
        }

        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        var seen = new List<string>();
        string? next = "deviceManagement/managedDevices?$top=2";
        var pages = 0;
        while (next is not null)
        {
            var page = await admin.GetFromJsonAsync<JsonObject>(next);
            Assert.EndsWith("$metadata#deviceManagement/managedDevices", (string?)page!["@odata.context"]);
            var values = page["value"]!.AsArray();
            Assert.InRange(values.Count, 1, 2);
            seen.AddRange(values.Select(v => (string)v!["id"]!));
            next = (string?)page["@odata.nextLink"];
            if (next is not null)
            {
                Assert.StartsWith($"http://127.0.0.1:{Host.AdminPort}/v1.0/", next);
                Assert.Contains("$skiptoken=", next);
            }

            pages++;
        }

        Assert.Equal(3, pages);
        Assert.Equal(enrolledIds.Order(), seen.Order());
    }

    [Theory]
    [InlineData("deviceManagement/managedDevices?$top=abc", "$top")]
    [InlineData("deviceManagement/managedDevices?$skiptoken=!!!", "$skiptoken")]
    [InlineData("deviceManagement/managedDevices?$orderby=model", "model")]
    [InlineData("deviceManagement/managedDevices?$skip=5", "$skip")]
    public async Task List_WithBadQuery_Is400NamingTheOption(string url, string option)
    {
        using var admin = Host.AdminClient(Host.AdminToken(Guid.NewGuid().ToString()));

        var response = await admin.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;
        Assert.Equal("BadRequest", (string?)error["code"]);
        Assert.Contains(option, (string?)error["message"]);
    }

    [Fact]
    public async Task Get_MalformedId_Is404NotA500()
    {
        using var admin = Host.AdminClient(Host.AdminToken(Guid.NewGuid().ToString()));

        var response = await admin.GetAsync("deviceManagement/managedDevices/not-a-guid");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("Read Only Operator", HttpStatusCode.OK)]
    [InlineData("Help Desk Operator", HttpStatusCode.OK)]
    [InlineData("Some Unknown Role", HttpStatusCode.Forbidden)]
    public async Task List_ByRole_IsAllowedOnlyWithManagedDevicesRead(string role, HttpStatusCode expected)
    {
        using var admin = Host.AdminClient(Host.AdminToken(Guid.NewGuid().ToString(), role));

        var response = await admin.GetAsync("deviceManagement/managedDevices");

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Forbidden)
        {
            var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;
            Assert.Equal("Forbidden", (string?)error["code"]);
            Assert.Contains("Microsoft.Intune_ManagedDevices_Read", (string?)error["message"]);
        }
    }
}
