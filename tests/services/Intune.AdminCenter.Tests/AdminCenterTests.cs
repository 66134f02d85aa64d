using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Intune.AdminCenter.Tests;

/// <summary>The admin center in headless chromium against a real scale unit: what an admin sees equals what the API says.</summary>
public sealed class AdminCenterTests(AdminCenterFixture fixture) : IClassFixture<AdminCenterFixture>
{
    private const string Administrator = "Intune Administrator";
    private const string ReadOnly = "Read Only Operator";
    private const string Devices = "deviceManagement/managedDevices";
    private const string CompliancePolicies = "deviceManagement/deviceCompliancePolicies";

    [Fact]
    public async Task Home_SignedInAdmin_ShowsTheApisCounts()
    {
        var page = await fixture.SignInAsync();
        await AdminCenterFixture.SettledAsync(page);

        using var api = fixture.Api();
        foreach (var platform in new[] { "Windows", "iOS", "iPadOS", "macOS", "Android" })
        {
            var count = await api.GetStringAsync($"{Devices}/$count?$filter=operatingSystem eq '{platform}'");
            await Assertions.Expect(page.Locator($"[data-count='{platform}']")).ToHaveTextAsync(count);
        }

        var summary = await fixture.GetJsonAsync("deviceManagement/deviceCompliancePolicyDeviceStateSummary");
        await Assertions.Expect(page.Locator("[data-count='Compliant']")).ToHaveTextAsync(summary["compliantDeviceCount"]!.ToString());
        await Assertions.Expect(page.Locator("[data-count='Noncompliant']")).ToHaveTextAsync(summary["nonCompliantDeviceCount"]!.ToString());
        await Assertions.Expect(page.Locator("[data-count='In grace period']")).ToHaveTextAsync(summary["inGracePeriodCount"]!.ToString());
        await Assertions.Expect(page.Locator("[data-count='Not evaluated']")).ToHaveTextAsync(summary["unknownDeviceCount"]!.ToString());
        Assert.Equal("3", await page.Locator("[data-count='Windows']").TextContentAsync());
        await AdminCenterFixture.ScreenshotAsync(page, "home");
    }

    [Fact]
    public async Task Devices_FilterByPlatform_ListsOnlyThoseAndOpensOne()
    {
        var page = await fixture.SignInAsync();
        await AdminCenterFixture.OpenAsync(page, "/devices");
        await Assertions.Expect(page.GetByTestId("total-count")).ToHaveTextAsync($"{fixture.Devices.Count} devices");

        await page.GetByLabel("Platform").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "iOS", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("total-count")).ToHaveTextAsync("1 devices");
        var iphone = fixture.Devices.Single(d => d.Profile.Platform == Intune.Device.V1.Platform.Ios);
        await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = "Devices" }).Locator("tbody tr")).ToHaveCountAsync(1);
        await AdminCenterFixture.ScreenshotAsync(page, "devices-filtered");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Open {iphone.Profile.DeviceName}" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = iphone.Profile.DeviceName, Level = 1 })).ToBeVisibleAsync();
        await AdminCenterFixture.SettledAsync(page);
        await Assertions.Expect(page.GetByText(iphone.Profile.Model, new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText(iphone.Profile.SerialNumber, new() { Exact = true })).ToBeVisibleAsync();
        Assert.EndsWith($"/devices/{iphone.DeviceId}", page.Url);
        await AdminCenterFixture.ScreenshotAsync(page, "device-detail");
    }

    [Fact]
    public async Task CompliancePolicy_CreatedAndAssignedInTheUi_MakesTheUnprotectedDeviceNoncompliant()
    {
        var page = await fixture.SignInAsync();
        await AdminCenterFixture.OpenAsync(page, "/compliance-policies");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create policy" }).ClickAsync();
        await AdminCenterFixture.SettledAsync(page);
        await page.GetByLabel("Platform and type").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Windows: windows10CompliancePolicy" }).ClickAsync();
        var name = $"Require BitLocker {Guid.NewGuid():N}"[..26];
        await page.GetByLabel(new Regex("^Name")).FillAsync(name);
        await page.GetByLabel("Bit Locker Enabled").CheckAsync();
        await page.GetByLabel("Mark device noncompliant after (hours, grace period)").FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1 })).ToBeVisibleAsync();
        await AdminCenterFixture.SettledAsync(page);
        var policyId = page.Url.Split('/')[^1];
        var before = await fixture.GetJsonAsync($"{CompliancePolicies}/{policyId}/deviceStatusOverview");
        Assert.Equal((0, 0), ((int)before["successCount"]!, (int)before["failedCount"]!));
        var devices = page.GetByTestId("device-status");
        await Assertions.Expect(devices.Locator("[data-count=failed]")).ToHaveTextAsync("0");

        await page.GetByRole(AriaRole.Switch, new() { Name = "All devices" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save assignments" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Assigned to 1 target.")).ToBeVisibleAsync();
        foreach (var device in fixture.Devices.Where(d => d.Profile.Platform == Intune.Device.V1.Platform.Windows))
        {
            await device.CheckInAsync();
        }

        // A check-in that returns has updated the report (the API reads it back), so no waiting is needed.
        var after = await fixture.GetJsonAsync($"{CompliancePolicies}/{policyId}/deviceStatusOverview");
        Assert.Equal(3, (int)after["successCount"]! + (int)after["failedCount"]!);
        Assert.Equal(1, (int)after["failedCount"]!);
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh status" }).ClickAsync();
        await Assertions.Expect(devices.Locator("[data-count=failed]")).ToHaveTextAsync("1");
        await Assertions.Expect(devices.Locator("[data-count=success]")).ToHaveTextAsync("2");
        await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = "Device statuses" }).GetByText(fixture.Unprotected.Profile.DeviceName)).ToBeVisibleAsync();
        await AdminCenterFixture.ScreenshotAsync(page, "compliance-policy-detail");

        await AdminCenterFixture.OpenAsync(page, $"/devices/{fixture.Unprotected.DeviceId}");
        var state = (string)(await fixture.GetJsonAsync($"{Devices}/{fixture.Unprotected.DeviceId}"))["complianceState"]!;
        Assert.Equal("noncompliant", state);
        await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = $"{name} settings" }).GetByText("bitLockerEnabled")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Sync_ConfirmedInTheUi_ShowsTheActionResultTheDeviceReported()
    {
        var device = fixture.Devices[2];
        var page = await fixture.SignInAsync();
        await AdminCenterFixture.OpenAsync(page, $"/devices/{device.DeviceId}");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sync", Exact = true }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("check in now");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Sync", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText($"Sync sent to {device.Profile.DeviceName}.")).ToBeVisibleAsync();
        await device.SyncAsync();

        var reported = await fixture.GetJsonAsync($"{Devices}/{device.DeviceId}");
        Assert.Contains(reported["deviceActionResults"]!.AsArray(), a => (string)a!["actionName"]! == "syncDevice" && (string)a["actionState"]! == "done");
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-action=syncDevice] [data-action-state]")).ToHaveTextAsync("done");
        Assert.Contains(reported["deviceActionResults"]!.AsArray(), a => (string)a!["actionName"]! == "syncDevice");
        await AdminCenterFixture.ScreenshotAsync(page, "device-after-sync");
    }

    [Fact]
    public async Task ReadOnlyOperator_SeesNoMutatingButtons_AndAForbiddenCallShowsTheApisMessage()
    {
        var policyId = await CreatePolicyAsync("Read-only view");
        var page = await fixture.SignInAsync(ReadOnly);

        await AdminCenterFixture.OpenAsync(page, $"/devices/{fixture.Devices[0].DeviceId}");
        foreach (var action in new[] { "Sync", "Remote lock", "Restart", "Reset passcode", "Retire", "Wipe" })
        {
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = action, Exact = true })).ToHaveCountAsync(0);
        }

        await AdminCenterFixture.OpenAsync(page, "/compliance-policies");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create policy" })).ToHaveCountAsync(0);
        await AdminCenterFixture.OpenAsync(page, $"/compliance-policies/{policyId}");
        foreach (var action in new[] { "Edit", "Delete", "Save assignments" })
        {
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = action, Exact = true })).ToHaveCountAsync(0);
        }

        await AdminCenterFixture.OpenAsync(page, "/groups");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "New group" })).ToHaveCountAsync(0);
        await AdminCenterFixture.OpenAsync(page, "/tenant-settings");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save" })).ToHaveCountAsync(0);

        // The route itself is reachable; the API refuses the write and the page shows its words.
        await AdminCenterFixture.OpenAsync(page, "/compliance-policies/new");
        await page.GetByLabel("Platform and type").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Windows: windows10CompliancePolicy" }).ClickAsync();
        await page.GetByLabel(new Regex("^Name")).FillAsync("Not allowed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        using var api = fixture.Api(ReadOnly);
        var refused = await api.PostAsJsonAsync(CompliancePolicies, PolicyBody("Not allowed"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var apiMessage = (string)(await refused.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["message"]!;
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(apiMessage);
        await AdminCenterFixture.ScreenshotAsync(page, "read-only-forbidden");
    }

    [Fact]
    public async Task EveryPage_HasNoSeriousAccessibilityViolations()
    {
        var policyId = await CreatePolicyAsync("Accessibility");
        using var api = fixture.Api();
        var group = (await (await api.PostAsJsonAsync("groups", new JsonObject { ["displayName"] = "Accessibility group" })).Content.ReadFromJsonAsync<JsonObject>())!;
        var groupId = (string)group["id"]!;
        await api.PostAsJsonAsync($"groups/{groupId}/members/$ref", new JsonObject { ["@odata.id"] = $"https://graph.microsoft.com/v1.0/devices/{fixture.Devices[0].DeviceId}" });

        var violations = new List<string>();
        var signIn = await fixture.NewPageAsync();
        await AdminCenterFixture.OpenAsync(signIn, "/");
        violations.AddRange(await AdminCenterFixture.SeriousAxeViolationsAsync(signIn));
        await AdminCenterFixture.ScreenshotAsync(signIn, "sign-in");

        var page = await fixture.SignInAsync();
        (string Path, string Name)[] pages =
        [
            ("/", "page-home"),
            ("/devices", "page-devices"),
            ($"/devices/{fixture.Devices[0].DeviceId}", "page-device"),
            ("/compliance-policies", "page-compliance-policies"),
            ($"/compliance-policies/{policyId}", "page-compliance-policy"),
            ("/compliance-policies/new", "page-compliance-policy-new"),
            ($"/compliance-policies/{policyId}/edit", "page-compliance-policy-edit"),
            ("/configuration-profiles", "page-configuration-profiles"),
            ("/configuration-profiles/new", "page-configuration-profile-new"),
            ("/groups", "page-groups"),
            ($"/groups/{groupId}", "page-group"),
            ("/enrollment", "page-enrollment"),
            ("/tenant-settings", "page-tenant-settings"),
            ("/roles", "page-roles"),
            ("/audit", "page-audit"),
        ];
        foreach (var (path, name) in pages)
        {
            await AdminCenterFixture.OpenAsync(page, path);
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
            violations.AddRange(await AdminCenterFixture.SeriousAxeViolationsAsync(page));
            await AdminCenterFixture.ScreenshotAsync(page, name);
        }

        await File.WriteAllLinesAsync(Path.Combine(AdminCenterFixture.ArtifactsDirectory, "axe-serious.txt"), violations);
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public async Task Gateway_ServesTheAppOnClientRoutes_ButNeverOverTheApiOrHealth()
    {
        using var http = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };

        var route = await http.GetAsync("/devices/some-device");
        var api = await http.GetAsync("/v1.0/deviceManagement/managedDevices");
        var health = await http.GetAsync("/alive");
        var missingAsset = await http.GetAsync("/assets/missing.js");
        var config = await http.GetFromJsonAsync<JsonObject>("/admin-center/config");

        Assert.Equal(HttpStatusCode.OK, route.StatusCode);
        Assert.Contains("<div id=\"root\">", await route.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Contains("InvalidAuthenticationToken", await api.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.DoesNotContain("<div id=\"root\">", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, missingAsset.StatusCode);
        Assert.Equal("development", (string?)config!["mode"]);
    }

    private static JsonObject PolicyBody(string name) => new()
    {
        ["@odata.type"] = "#microsoft.graph.windows10CompliancePolicy",
        ["displayName"] = name,
        ["scheduledActionsForRule"] = new JsonArray(new JsonObject
        {
            ["ruleName"] = "PasswordRequired",
            ["scheduledActionConfigurations"] = new JsonArray(new JsonObject { ["actionType"] = "block", ["gracePeriodHours"] = 0, ["notificationTemplateId"] = string.Empty }),
        }),
    };

    private async Task<string> CreatePolicyAsync(string name)
    {
        using var api = fixture.Api(Administrator);
        var created = await api.PostAsJsonAsync(CompliancePolicies, PolicyBody(name));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
    }
}
