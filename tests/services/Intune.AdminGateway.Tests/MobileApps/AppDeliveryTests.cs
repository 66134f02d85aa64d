using Intune.Device.V1;
using Intune.DeviceSim;
using Intune.DeviceSim.Apps;
using Intune.Grains;
using Intune.Grains.Groups;
using Microsoft.Graph;
using Microsoft.Graph.DeviceAppManagement.MobileApps.Item.Assign;
using Microsoft.Graph.DeviceAppManagement.MobileApps.Item.GraphWin32LobApp.ContentVersions.Item.Files.Item.Commit;
using Microsoft.Graph.Models;
using Xunit.Abstractions;

namespace Intune.AdminGateway.Tests.MobileApps;

/// <summary>
/// Apps reaching devices end to end: a committed package assigned with the Graph SDK reaches an
/// enrolled device at its check-in as an instruction with a download URL to blob storage; the
/// simulated agent downloads it, verifies MAC and digest, and reports; the app's statuses and
/// summary move by those reports.
/// </summary>
public sealed class AppDeliveryTests(MobileAppsSdkTests.Unit unit, ITestOutputHelper output) : IClassFixture<MobileAppsSdkTests.Unit>
{
    [Fact]
    public async Task RequiredLobApp_DeviceDownloadsVerifiesAndReportsInstalled()
    {
        var graph = unit.Graph();
        using var device = await EnrollAsync(index: 1);
        var package = PackagedFile.Random(200_000, seed: 11);
        var app = await PublishAsync(graph, package);
        await AssignAsync(graph, app.Id!, new MobileAppAssignment { Intent = InstallIntent.Required, Target = new AllDevicesAssignmentTarget() });

        var (answer, deliveryRequests) = await MeasureAsync("check-in taking the app", () => device.CheckInAsync());
        var (_, reportRequests) = await MeasureAsync("check-in reporting installed", () => device.CheckInAsync());
        var (quiet, quietRequests) = await MeasureAsync("quiet check-in", () => device.CheckInAsync());
        var statuses = await RawAsync($"deviceAppManagement/mobileApps/{app.Id}/deviceStatuses");
        var summary = await InstallSummaryAsync(app.Id!);

        var instruction = Assert.Single(answer.Apps, a => a.AppId == app.Id);
        Assert.Equal(AppAction.Install, instruction.Action);
        Assert.StartsWith("http://127.0.0.1:", instruction.DownloadUrl, StringComparison.Ordinal);
        Assert.Contains("sig=", instruction.DownloadUrl, StringComparison.Ordinal);
        Assert.Contains("agent.exe", instruction.DetectionRulesJson, StringComparison.Ordinal);
        Assert.Equal(package.Content, device.Apps!.Installed[app.Id!]);
        Assert.True(quiet.NotModified);
        Assert.Contains("\"installedDeviceCount\":1", summary, StringComparison.Ordinal);
        Assert.Contains("\"installState\":\"installed\"", statuses, StringComparison.Ordinal);
        Assert.Equal(0, quietRequests);
        Assert.InRange(deliveryRequests, 1, 6);
        Assert.InRange(reportRequests, 1, 3);
        // The v1.0 SDK has no builder for a device's detectedApps: read the JSON.
        var detected = await RawAsync($"deviceManagement/managedDevices/{device.DeviceId}/detectedApps");
        Assert.Contains("\"displayName\":\"Contoso Agent\"", detected, StringComparison.Ordinal);
        Assert.Contains($"\"sizeInByte\":{package.Content.Length}", detected, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PackageChangedInStorageAfterCommit_DeviceRefusesItAndReportsFailed()
    {
        var graph = unit.Graph();
        using var device = await EnrollAsync(index: 2);
        var package = PackagedFile.Random(50_000, seed: 12);
        var app = await PublishAsync(graph, package);
        string? name = null;
        await foreach (var item in unit.Container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"{unit.TenantId}.apps/{app.Id}/", CancellationToken.None))
        {
            name = item.Name;
        }

        // Someone with storage access swaps the verified package for another validly packaged one.
        var blob = unit.Container.GetBlobClient(name);
        var swapped = PackagedFile.Random(50_000, seed: 13);
        await blob.UploadAsync(new BinaryData(swapped.Upload), overwrite: true);
        await AssignAsync(graph, app.Id!, new MobileAppAssignment { Intent = InstallIntent.Required, Target = new AllDevicesAssignmentTarget() });

        await device.SyncAsync();
        var summary = await InstallSummaryAsync(app.Id!);
        var statuses = await RawAsync($"deviceAppManagement/mobileApps/{app.Id}/deviceStatuses");

        Assert.False(device.Apps!.Installed.ContainsKey(app.Id!));
        Assert.Contains("\"failedDeviceCount\":1", summary, StringComparison.Ordinal);
        Assert.Contains($"\"errorCode\":{AppInstaller.VerificationFailed}", statuses, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequiredAndUninstallOnOneDevice_IsAConflictAndNothingIsDone()
    {
        var graph = unit.Graph();
        using var device = await EnrollAsync(index: 3);
        var app = await PublishAsync(graph, PackagedFile.Random(1_000, seed: 14));
        var groupId = Guid.NewGuid().ToString();
        var group = unit.Host.Grains.GetGrain<IGroupGrain>(GrainKeys.Scoped(unit.TenantId, groupId));
        await group.CreateAsync("Remove agent", null);
        await group.AddMembersAsync([new GroupMember(GroupMemberKind.Device, device.DeviceId!)]);
        await AssignAsync(
            graph,
            app.Id!,
            new MobileAppAssignment { Intent = InstallIntent.Required, Target = new AllDevicesAssignmentTarget() },
            new MobileAppAssignment { Intent = InstallIntent.Uninstall, Target = new GroupAssignmentTarget { GroupId = groupId } });

        var answer = await device.CheckInAsync();
        var statuses = await RawAsync($"deviceAppManagement/mobileApps/{app.Id}/deviceStatuses");

        Assert.Equal(AppAction.Conflict, Assert.Single(answer.Apps, a => a.AppId == app.Id).Action);
        Assert.False(device.Apps!.Installed.ContainsKey(app.Id!));
        Assert.Contains("\"installState\":\"failed\"", statuses, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoreAppForAnotherPlatform_NeverReachesTheDevice_AndUnassigningDropsTheApp()
    {
        var graph = unit.Graph();
        using var device = await EnrollAsync(index: 4);
        var ios = await graph.DeviceAppManagement.MobileApps.PostAsync(new IosStoreApp { DisplayName = "Mail", Publisher = "Contoso", BundleId = "com.contoso.mail", AppStoreUrl = "https://apps.apple.com/app/id1" });
        var web = await graph.DeviceAppManagement.MobileApps.PostAsync(new WebApp { DisplayName = "Intranet", Publisher = "Contoso", AppUrl = "https://intranet.contoso.example" });
        await AssignAsync(graph, ios!.Id!, new MobileAppAssignment { Intent = InstallIntent.Required, Target = new AllDevicesAssignmentTarget() });
        await AssignAsync(graph, web!.Id!, new MobileAppAssignment { Intent = InstallIntent.Required, Target = new AllDevicesAssignmentTarget() });

        var answer = await device.CheckInAsync();
        await device.CheckInAsync();
        var installed = await InstallSummaryAsync(web.Id!);
        await AssignAsync(graph, web.Id!);
        var after = await device.CheckInAsync();

        Assert.DoesNotContain(answer.Apps, a => a.AppId == ios.Id);
        Assert.Equal("https://intranet.contoso.example", Assert.Single(answer.Apps, a => a.AppId == web.Id).StoreIdentifier);
        Assert.Contains("\"installedDeviceCount\":1", installed, StringComparison.Ordinal);
        Assert.DoesNotContain(after.Apps, a => a.AppId == web.Id);
        Assert.Contains("\"installedDeviceCount\":0", await InstallSummaryAsync(web.Id!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewContentVersion_IsPendingUntilTheDeviceInstallsIt()
    {
        var graph = unit.Graph();
        using var device = await EnrollAsync(index: 6);
        var app = await PublishAsync(graph, PackagedFile.Random(3_000, seed: 41));
        await AssignAsync(graph, app.Id!, new MobileAppAssignment { Intent = InstallIntent.Required, Target = new AllDevicesAssignmentTarget() });
        await device.SyncAsync();
        var second = PackagedFile.Random(4_000, seed: 42);
        var content = graph.DeviceAppManagement.MobileApps[app.Id].GraphWin32LobApp.ContentVersions;
        var version = await content.PostAsync(new MobileAppContent());
        var file = await content[version!.Id].Files.PostAsync(MobileAppsSdkTests.FileFor(second, "setup.intunewin"));
        await UploadAsync(file!.AzureStorageUri!, second.Upload);
        await content[version.Id].Files[file.Id].Commit.PostAsync(new CommitPostRequestBody { FileEncryptionInfo = second.EncryptionInfo() });
        await graph.DeviceAppManagement.MobileApps[app.Id].PatchAsync(new Win32LobApp { CommittedContentVersion = version.Id });

        await device.CheckInAsync();
        var pending = await InstallSummaryAsync(app.Id!);
        await device.CheckInAsync();
        var installed = await InstallSummaryAsync(app.Id!);

        Assert.Contains("\"pendingInstallDeviceCount\":1", pending, StringComparison.Ordinal);
        Assert.Contains("\"installedDeviceCount\":1", installed, StringComparison.Ordinal);
        Assert.Equal(second.Content, device.Apps!.Installed[app.Id!]);
    }

    [Fact]
    public async Task DetectedApps_OfAnotherTenantsDeviceOrAnUnknownOne_IsNotFound()
    {
        using var device = await EnrollAsync(index: 5);
        var (otherTenant, _) = await unit.Host.CreateTenantAsync("Fabrikam");
        using var other = unit.Host.AdminClient(unit.Token(otherTenant));

        var foreign = await other.GetAsync($"deviceManagement/managedDevices/{device.DeviceId}/detectedApps");
        var unknown = await other.GetAsync($"deviceManagement/managedDevices/{Guid.NewGuid()}/detectedApps");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("\"error\"", await foreign.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<(T Result, long Requests)> MeasureAsync<T>(string what, Func<Task<T>> operation)
    {
        var before = StorageRequestMeter.Snapshot();
        var total = StorageRequestMeter.Total;
        var result = await operation();
        var requests = StorageRequestMeter.Total - total;
        output.WriteLine($"{what}: {requests} storage requests ({StorageRequestMeter.Describe(before, StorageRequestMeter.Snapshot())})");
        return (result, requests);
    }

    private async Task<SimulatedDevice> EnrollAsync(int index)
    {
        var token = await unit.Host.Grains.GetGrain<Intune.Grains.Tenants.ITenantGrain>(unit.TenantId).CreateEnrollmentTokenAsync(TimeSpan.FromHours(1), null);
        var device = unit.Host.NewDevice(Platform.Windows, index);
        device.Apps = new AppInstaller(new HttpClient());
        await device.EnrollAsync(token.Token!);
        await device.CheckInAsync();
        return device;
    }

    private static async Task<Win32LobApp> PublishAsync(GraphServiceClient graph, PackagedFile package)
    {
        var (app, version, file) = await MobileAppsSdkTests.DeclareAsync(graph, package);
        await UploadAsync(file.AzureStorageUri!, package.Upload);
        await graph.DeviceAppManagement.MobileApps[app.Id].GraphWin32LobApp.ContentVersions[version.Id].Files[file.Id].Commit
            .PostAsync(new CommitPostRequestBody { FileEncryptionInfo = package.EncryptionInfo() });
        await graph.DeviceAppManagement.MobileApps[app.Id].PatchAsync(new Win32LobApp { CommittedContentVersion = version.Id });
        return app;
    }

    private static async Task UploadAsync(string sasUri, byte[] bytes)
    {
        var blob = new Azure.Storage.Blobs.Specialized.BlockBlobClient(new Uri(sasUri));
        var id = Convert.ToBase64String(new byte[] { 1, 0, 0, 0 });
        await blob.StageBlockAsync(id, new MemoryStream(bytes));
        await blob.CommitBlockListAsync([id]);
    }

    private static Task AssignAsync(GraphServiceClient graph, string appId, params MobileAppAssignment[] assignments) =>
        graph.DeviceAppManagement.MobileApps[appId].Assign.PostAsync(new AssignPostRequestBody { MobileAppAssignments = [.. assignments] });

    private Task<string> InstallSummaryAsync(string appId) => RawAsync($"deviceAppManagement/mobileApps/{appId}/installSummary");

    /// <summary>The v1.0 SDK has no builders for the status routes (beta shapes): read them as JSON.</summary>
    private async Task<string> RawAsync(string path)
    {
        using var client = unit.Host.AdminClient(unit.Token(unit.TenantId));
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return text;
    }
}

/// <summary>Apps, their committed content and assignments survive a restart of the unit, read back GET by GET.</summary>
public sealed class MobileAppRestartTests
{
    [Fact]
    public async Task Restart_KeepsAppsContentAndAssignments()
    {
        var unit = new MobileAppsSdkTests.Unit();
        await unit.InitializeAsync();
        var package = PackagedFile.Random(10_000, seed: 31);
        var graph = unit.Graph();
        var (app, version, file) = await MobileAppsSdkTests.DeclareAsync(graph, package);
        var blob = new Azure.Storage.Blobs.Specialized.BlockBlobClient(new Uri(file.AzureStorageUri!));
        await blob.UploadAsync(new MemoryStream(package.Upload));
        await graph.DeviceAppManagement.MobileApps[app.Id].GraphWin32LobApp.ContentVersions[version.Id].Files[file.Id].Commit
            .PostAsync(new CommitPostRequestBody { FileEncryptionInfo = package.EncryptionInfo() });
        await graph.DeviceAppManagement.MobileApps[app.Id].PatchAsync(new Win32LobApp { CommittedContentVersion = version.Id });
        await graph.DeviceAppManagement.MobileApps[app.Id].Assign.PostAsync(new AssignPostRequestBody
        {
            MobileAppAssignments = [new MobileAppAssignment { Intent = InstallIntent.Required, Target = new AllDevicesAssignmentTarget() }],
        });
        using var before = unit.Host.AdminClient(unit.Token(unit.TenantId));
        var paths = new[]
        {
            $"deviceAppManagement/mobileApps/{app.Id}?$expand=assignments",
            $"deviceAppManagement/mobileApps/{app.Id}/microsoft.graph.win32LobApp/contentVersions/{version.Id}/files/{file.Id}",
            "deviceAppManagement/mobileApps",
        };
        var read = new List<string>();
        foreach (var path in paths)
        {
            read.Add(await before.GetStringAsync(path));
        }

        await unit.Host.StopAsync();
        await unit.Host.StartAsync();
        using var after = unit.Host.AdminClient(unit.Token(unit.TenantId));
        try
        {
            for (var i = 0; i < paths.Length; i++)
            {
                Assert.Equal(Normalize(read[i], unit.Host.AdminPort), Normalize(await after.GetStringAsync(paths[i]), unit.Host.AdminPort));
            }
        }
        finally
        {
            await unit.DisposeAsync();
        }
    }

    /// <summary>The admin port changes with the restart; the @odata.context URLs carry it.</summary>
    private static string Normalize(string json, int port) =>
        System.Text.RegularExpressions.Regex.Replace(json, @"http://127\.0\.0\.1:\d+", "http://admin");
}
