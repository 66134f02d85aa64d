using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Auth;

namespace Intune.AdminCenter.Tests;

/// <summary>A gateway configured with an OIDC authority: the UI offers only the authority's sign-in and development tokens are refused.</summary>
public sealed class ProductionSignInTests : IAsyncLifetime
{
    // Nothing listens here: the gateway cannot fetch the authority's keys, so no token validates, as with a real authority that never signed it.
    private const string Authority = "https://127.0.0.1:9/contoso/v2.0";
    private readonly ScaleUnitTestHost _host = new();
    private HeadlessChromium? _browser;

    public async Task InitializeAsync()
    {
        _host.Settings["AdminAuth:Authority"] = Authority;
        _host.Settings["AdminCenter:ClientId"] = "intune-admin-center";
        await _host.StartAsync();
        _browser = await HeadlessChromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        await _host.StopAsync();
    }

    [Fact]
    public async Task WithAnAuthority_ConfigNamesIt_AndDevelopmentTokensAreRefused()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_host.AdminPort}") };
        var developmentToken = DevelopmentToken();

        var config = await http.GetFromJsonAsync<JsonObject>("/admin-center/config");
        using var session = new HttpRequestMessage(HttpMethod.Get, "/admin-center/session") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", developmentToken) } };
        var refused = await http.SendAsync(session);
        using var list = new HttpRequestMessage(HttpMethod.Get, "/v1.0/deviceManagement/managedDevices") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", developmentToken) } };
        var api = await http.SendAsync(list);

        Assert.Equal("production", (string?)config!["mode"]);
        Assert.Equal((Authority, "intune-admin-center", "/signin-oidc"), ((string?)config["oidc"]!["authority"], (string?)config["oidc"]!["clientId"], (string?)config["oidc"]!["redirectPath"]));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal("InvalidAuthenticationToken", (string?)(await api.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["code"]);
    }

    [Fact]
    public async Task WithAnAuthority_SignInPageOffersNoTokenField()
    {
        var page = await _browser!.NewPageAsync($"http://127.0.0.1:{_host.AdminPort}");
        await page.GotoAsync("/");

        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText(Authority)).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Admin token")).ToHaveCountAsync(0);
        await AdminCenterFixture.ScreenshotAsync(page, "sign-in-production");
    }

    /// <summary>A token signed with the repository's development key, as the local Run prints one.</summary>
    private static string DevelopmentToken()
    {
        var options = new AdminAuthOptions { SigningKeyFile = "cluster-config/local/dev-admin-signing-key.txt" };
        var key = options.ResolveSigningKey(AdminCenterFixture.RepositoryRoot())!;
        return new AdminTokenIssuer(options, key, TimeProvider.System).Issue(Guid.NewGuid().ToString(), ["Intune Administrator"], "admin@contoso.example", TimeSpan.FromHours(1));
    }
}
