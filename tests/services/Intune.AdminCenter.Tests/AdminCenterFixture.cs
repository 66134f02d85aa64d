using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Deque.AxeCore.Playwright;
using Intune.Device.V1;
using Intune.DeviceSim;

namespace Intune.AdminCenter.Tests;

/// <summary>
/// One scale unit on Azurite with a tenant of simulated devices (enrolled and checked in over
/// the real device gateway), the built admin center served by its admin gateway, and Debian's
/// headless chromium driven by Playwright. Screenshots go to artifacts/admin-center/.
/// </summary>
public sealed class AdminCenterFixture : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public ScaleUnitTestHost Host { get; } = new();

    public string TenantId { get; private set; } = string.Empty;

    public List<SimulatedDevice> Devices { get; } = [];

    /// <summary>A Windows device without BitLocker, firewall or passcode: noncompliant once a policy asks for them.</summary>
    public SimulatedDevice Unprotected => Devices[1];

    public string BaseUrl => $"http://127.0.0.1:{Host.AdminPort}";

    public static string ArtifactsDirectory { get; } = Path.Combine(RepositoryRoot(), "artifacts", "admin-center");

    public async Task InitializeAsync()
    {
        var built = Path.Combine(RepositoryRoot(), "services", "Intune.AdminCenter", "dist", "index.html");
        if (!File.Exists(built))
        {
            throw new InvalidOperationException($"The admin center is not built ({built} is missing): run ./build.sh (or 'npm run build --workspace services/Intune.AdminCenter') first.");
        }

        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"{Chromium} is missing: ./build.sh --target=Test installs it (apt-get install -y chromium).");
        }

        Directory.CreateDirectory(ArtifactsDirectory);
        await Host.StartAsync();
        var (tenantId, enrollmentToken) = await Host.CreateTenantAsync("Contoso admin center");
        TenantId = tenantId;
        (Platform Platform, bool Noncompliant)[] fleet =
        [
            (Platform.Windows, false), (Platform.Windows, true), (Platform.Windows, false),
            (Platform.Ios, false), (Platform.Android, false), (Platform.Macos, false),
        ];
        for (var i = 0; i < fleet.Length; i++)
        {
            var device = new SimulatedDevice(Host.DeviceGateway, DeviceProfile.Create(fleet[i].Platform, 100 + i, fleet[i].Noncompliant, new Random(100 + i)));
            await device.EnrollAsync(enrollmentToken);
            await device.CheckInAsync();
            Devices.Add(device);
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        foreach (var device in Devices)
        {
            device.Dispose();
        }

        await Host.StopAsync();
    }

    public string Token(string role) => Host.AdminToken(TenantId, role);

    /// <summary>The API as the test sees it, with the same token the browser signs in with.</summary>
    public HttpClient Api(string role = "Intune Administrator") => Host.AdminClient(Token(role));

    /// <summary>A new browser context signed in through the sign-in page with a pasted development token.</summary>
    public async Task<IPage> SignInAsync(string role = "Intune Administrator")
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1100 }, BaseURL = BaseUrl });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByLabel("Admin token").FillAsync(Token(role));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToContainTextAsync(role);
        return page;
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1100 }, BaseURL = BaseUrl });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>Goes to a client route through the app's own navigation state (a full load also works: the gateway falls back to index.html).</summary>
    public static async Task OpenAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await SettledAsync(page);
    }

    /// <summary>Waits until no request is in flight and no spinner is shown (the page's first paint is complete).</summary>
    public static async Task SettledAsync(IPage page)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Assertions.Expect(page.Locator("[role=progressbar]")).ToHaveCountAsync(0);
    }

    public static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory, $"{name}.png"), FullPage = true });

    /// <summary>axe-core on the page as it is; serious and critical violations are returned, described.</summary>
    public static async Task<IReadOnlyList<string>> SeriousAxeViolationsAsync(IPage page)
    {
        var result = await page.RunAxe();
        return result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{page.Url}: {v.Id} ({v.Impact}) {v.Help}: {string.Join(" | ", v.Nodes.Take(3).Select(n => $"{n.Html} [{string.Join(",", n.Target)}]"))}")
            .ToList();
    }

    public async Task<JsonObject> GetJsonAsync(string path, string role = "Intune Administrator")
    {
        using var api = Api(role);
        return (await api.GetFromJsonAsync<JsonObject>(path))!;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Intune.Cluster.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Intune.Cluster.sln above {AppContext.BaseDirectory}.");
    }
}
