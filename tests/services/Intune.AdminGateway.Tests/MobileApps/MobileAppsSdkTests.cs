using System.Net;
using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Intune.ClusterConfig;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Graph;
using Microsoft.Graph.DeviceAppManagement.MobileApps.Item.Assign;
using Microsoft.Graph.DeviceAppManagement.MobileApps.Item.GraphWin32LobApp.ContentVersions.Item.Files.Item.Commit;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Xunit.Abstractions;

namespace Intune.AdminGateway.Tests.MobileApps;

/// <summary>
/// The app catalog, package upload and assignments driven by the real Microsoft Graph SDK, with
/// packages uploaded by Azure.Storage.Blobs straight to the SAS URL the service hands out (the
/// unit's Azurite), as an admin script written for Intune does it.
/// </summary>
public sealed class MobileAppsSdkTests(MobileAppsSdkTests.Unit unit, ITestOutputHelper output) : IClassFixture<MobileAppsSdkTests.Unit>
{
    [Fact]
    public async Task StoreAndWebApps_CreateGetList_KeepTheirTypeAndProperties()
    {
        var graph = unit.Graph();

        var ios = (IosStoreApp)(await graph.DeviceAppManagement.MobileApps.PostAsync(new IosStoreApp
        {
            DisplayName = "Contoso Mail",
            Publisher = "Contoso",
            BundleId = "com.contoso.mail",
            AppStoreUrl = "https://apps.apple.com/app/id1",
            IsFeatured = true,
            LargeIcon = new MimeContent { Type = "image/png", Value = [0x89, 0x50, 0x4E, 0x47] },
            MinimumSupportedOperatingSystem = new IosMinimumOperatingSystem { V150 = true },
        }))!;
        await graph.DeviceAppManagement.MobileApps.PostAsync(new AndroidStoreApp { DisplayName = "Contoso Chat", Publisher = "Contoso", PackageId = "com.contoso.chat", AppStoreUrl = "https://play.google.com/store/apps/details?id=com.contoso.chat" });
        await graph.DeviceAppManagement.MobileApps.PostAsync(new WebApp { DisplayName = "Contoso Intranet", Publisher = "Contoso", AppUrl = "https://intranet.contoso.example", UseManagedBrowser = true });
        // The v1.0 SDK has no WinGetApp class: its body goes as the base type with the type name and properties added.
        await graph.DeviceAppManagement.MobileApps.PostAsync(new MobileApp
        {
            OdataType = "#microsoft.graph.winGetApp",
            DisplayName = "Contoso Notes",
            Publisher = "Contoso",
            AdditionalData = new Dictionary<string, object> { ["packageIdentifier"] = "9NBLGGH4NNS1" },
        });

        var read = Assert.IsType<IosStoreApp>(await graph.DeviceAppManagement.MobileApps[ios.Id].GetAsync());
        var all = await graph.DeviceAppManagement.MobileApps.GetAsync();

        Assert.Equal("com.contoso.mail", read.BundleId);
        Assert.True(read.IsFeatured);
        Assert.Equal("Contoso", read.Publisher);
        Assert.Equal("image/png", read.LargeIcon!.Type);
        Assert.True(read.MinimumSupportedOperatingSystem!.V150);
        Assert.Equal(MobileAppPublishingState.Published, read.PublishingState);
        Assert.Contains(all!.Value!, a => a is AndroidStoreApp { PackageId: "com.contoso.chat" });
        Assert.Contains(all.Value!, a => a is WebApp { UseManagedBrowser: true });
        Assert.Contains(all.Value!, a => a.OdataType == "#microsoft.graph.winGetApp" && a.AdditionalData["packageIdentifier"]?.ToString() == "9NBLGGH4NNS1");
    }

    [Theory]
    [InlineData("{\"@odata.type\":\"#microsoft.graph.contosoApp\",\"displayName\":\"X\",\"publisher\":\"P\"}", "contosoApp")]
    [InlineData("{\"displayName\":\"X\",\"publisher\":\"P\"}", "@odata.type is required")]
    [InlineData("{\"@odata.type\":\"#microsoft.graph.iosStoreApp\",\"displayName\":\"X\",\"publisher\":\"P\",\"appStoreUrl\":\"https://a\"}", "requires 'bundleId'")]
    [InlineData("{\"@odata.type\":\"#microsoft.graph.win32LobApp\",\"displayName\":\"X\",\"publisher\":\"P\",\"installCommandLine\":\"i\",\"uninstallCommandLine\":\"u\"}", "requires 'rules'")]
    [InlineData("{\"@odata.type\":\"#microsoft.graph.webApp\",\"displayName\":\"X\",\"appUrl\":\"https://a\"}", "publisher is required")]
    [InlineData("{\"@odata.type\":\"#microsoft.graph.webApp\",\"displayName\":\"X\",\"publisher\":\"P\",\"appUrl\":\"https://a\",\"bundleId\":\"b\"}", "'bundleId' is not a property of webApp")]
    [InlineData("{\"@odata.type\":\"#microsoft.graph.webApp\",\"displayName\":\"X\",\"publisher\":\"P\",\"appUrl\":\"https://a\",\"isFeatured\":\"yes\"}", "'isFeatured' must be a boolean")]
    [InlineData("{\"@odata.type\":\"#microsoft.graph.androidLobApp\",\"displayName\":\"X\",\"publisher\":\"P\",\"packageId\":\"p\",\"minimumSupportedOperatingSystem\":{\"v8_0\":true},\"fileName\":\"app.ipa\"}", "must be a .apk file")]
    public async Task Create_BadBody_Is400NamingTheProblemAndCreatesNothing(string body, string expected)
    {
        using var client = unit.Host.AdminClient(unit.Token(unit.TenantId));
        var before = (await unit.Graph().DeviceAppManagement.MobileApps.GetAsync())!.Value!.Count;

        var response = await client.PostAsync("deviceAppManagement/mobileApps", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"error\"", text, StringComparison.Ordinal);
        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.Equal(before, (await unit.Graph().DeviceAppManagement.MobileApps.GetAsync())!.Value!.Count);
    }

    [Fact]
    public async Task Win32LobApp_UploadToSasThenCommit_PublishesTheContentVersion()
    {
        var graph = unit.Graph();
        var package = PackagedFile.Random(300_000, seed: 1);

        var (app, createRequests) = await MeasureAsync("create", () => CreateWin32Async(graph));
        var content = graph.DeviceAppManagement.MobileApps[app.Id].GraphWin32LobApp.ContentVersions;
        var (version, versionRequests) = await MeasureAsync("contentVersion", () => content.PostAsync(new MobileAppContent()));
        var (file, fileRequests) = await MeasureAsync("file", () => content[version!.Id].Files.PostAsync(FileFor(package, "setup.intunewin")));
        Assert.Equal(MobileAppContentFileUploadState.AzureStorageUriRequestSuccess, file!.UploadState);
        Assert.NotNull(file.AzureStorageUri);

        await UploadInBlocksAsync(file.AzureStorageUri!, package.Upload);
        var (_, commitRequests) = await MeasureAsync($"commit of {package.Upload.Length} bytes", async () =>
        {
            await content[version!.Id].Files[file.Id].Commit.PostAsync(new CommitPostRequestBody { FileEncryptionInfo = package.EncryptionInfo() });
            return 0;
        });
        var committed = await content[version!.Id].Files[file.Id].GetAsync();
        var (_, patchRequests) = await MeasureAsync("PATCH committedContentVersion", async () =>
        {
            await graph.DeviceAppManagement.MobileApps[app.Id].PatchAsync(new Win32LobApp { CommittedContentVersion = version.Id });
            return 0;
        });
        var (_, warmCreate) = await MeasureAsync("create (warm)", () => CreateWin32Async(graph));
        var published = Assert.IsType<Win32LobApp>(await graph.DeviceAppManagement.MobileApps[app.Id].GetAsync());

        Assert.Equal(MobileAppContentFileUploadState.CommitFileSuccess, committed!.UploadState);
        Assert.True(committed.IsCommitted);
        Assert.Equal(version.Id, published.CommittedContentVersion);
        Assert.Equal(MobileAppPublishingState.Published, published.PublishingState);
        Assert.Equal(package.Content.Length, published.Size);
        // The app's write, the tenant's catalog write and the audit row, plus first-use reads in this class.
        Assert.True(createRequests <= 8, $"create took {createRequests}");
        Assert.True(warmCreate <= 4, $"a warm create took {warmCreate}");
        Assert.True(versionRequests <= 3, $"contentVersion took {versionRequests}");
        Assert.True(commitRequests <= 6, $"commit took {commitRequests}");
        Assert.True(fileRequests <= 3, $"file took {fileRequests}");
        Assert.True(patchRequests <= 3, $"patch took {patchRequests}");
    }

    [Fact]
    public async Task Commit_DigestOfOtherContent_IsCommitFileFailedAndTheBlobIsRemoved()
    {
        var graph = unit.Graph();
        var package = PackagedFile.Random(10_000, seed: 2);
        var (app, version, file) = await DeclareAsync(graph, package);
        await UploadInBlocksAsync(file.AzureStorageUri!, package.Upload);
        var files = graph.DeviceAppManagement.MobileApps[app.Id].GraphWin32LobApp.ContentVersions[version.Id].Files;

        var error = await Assert.ThrowsAsync<ODataError>(() => files[file.Id].Commit.PostAsync(new CommitPostRequestBody
        {
            FileEncryptionInfo = package.EncryptionInfo(digest: System.Security.Cryptography.SHA256.HashData([1, 2, 3])),
        }));
        var failed = await files[file.Id].GetAsync();

        Assert.Equal(400, error.ResponseStatusCode);
        Assert.Contains("fileDigest", error.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(MobileAppContentFileUploadState.CommitFileFailed, failed!.UploadState);
        Assert.False(await BlobExistsAsync(app.Id, version.Id, file.Id));
        var again = await Assert.ThrowsAsync<ODataError>(() => files[file.Id].Commit.PostAsync(new CommitPostRequestBody { FileEncryptionInfo = package.EncryptionInfo() }));
        Assert.Equal(400, again.ResponseStatusCode);
    }

    [Fact]
    public async Task Commit_TamperedCiphertext_FailsOnTheMac()
    {
        var graph = unit.Graph();
        var package = PackagedFile.Random(5_000, seed: 3);
        var (app, version, file) = await DeclareAsync(graph, package);
        var tampered = package.Upload.ToArray();
        tampered[^40] ^= 0x01;
        await UploadInBlocksAsync(file.AzureStorageUri!, tampered);

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.DeviceAppManagement.MobileApps[app.Id].GraphWin32LobApp.ContentVersions[version.Id].Files[file.Id].Commit
            .PostAsync(new CommitPostRequestBody { FileEncryptionInfo = package.EncryptionInfo() }));

        Assert.Equal(400, error.ResponseStatusCode);
        Assert.Contains("commitFileFailed", error.Error!.Message, StringComparison.Ordinal);
        Assert.False(await BlobExistsAsync(app.Id, version.Id, file.Id));
    }

    [Fact]
    public async Task Commit_BeforeUpload_Is400AndTheFileCanStillBeUploaded()
    {
        var graph = unit.Graph();
        var package = PackagedFile.Random(2_000, seed: 4);
        var (app, version, file) = await DeclareAsync(graph, package);
        var files = graph.DeviceAppManagement.MobileApps[app.Id].GraphWin32LobApp.ContentVersions[version.Id].Files;

        var early = await Assert.ThrowsAsync<ODataError>(() => files[file.Id].Commit.PostAsync(new CommitPostRequestBody { FileEncryptionInfo = package.EncryptionInfo() }));
        Assert.Equal(400, early.ResponseStatusCode);
        Assert.Contains("Nothing was uploaded", early.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(MobileAppContentFileUploadState.AzureStorageUriRequestSuccess, (await files[file.Id].GetAsync())!.UploadState);

        await UploadInBlocksAsync(file.AzureStorageUri!, package.Upload);
        await files[file.Id].Commit.PostAsync(new CommitPostRequestBody { FileEncryptionInfo = package.EncryptionInfo() });
        var second = await Assert.ThrowsAsync<ODataError>(() => files[file.Id].Commit.PostAsync(new CommitPostRequestBody { FileEncryptionInfo = package.EncryptionInfo() }));

        Assert.Equal(400, second.ResponseStatusCode);
        Assert.Contains("already committed", second.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContentFile_WrongTypeOrOverLimitOrBadSizes_Is400AndDeclaresNothing()
    {
        var graph = unit.Graph();
        var app = await CreateWin32Async(graph);
        var content = graph.DeviceAppManagement.MobileApps[app.Id].GraphWin32LobApp.ContentVersions;
        var version = await content.PostAsync(new MobileAppContent());

        var wrongType = await Assert.ThrowsAsync<ODataError>(() => content[version!.Id].Files.PostAsync(new MobileAppContentFile { Name = "setup.exe", Size = 10, SizeEncrypted = 64 }));
        var overLimit = await Assert.ThrowsAsync<ODataError>(() => content[version!.Id].Files.PostAsync(new MobileAppContentFile { Name = "big.intunewin", Size = 31L << 30, SizeEncrypted = (31L << 30) + 64 }));
        var badSizes = await Assert.ThrowsAsync<ODataError>(() => content[version!.Id].Files.PostAsync(new MobileAppContentFile { Name = "a.intunewin", Size = 10, SizeEncrypted = 10 }));

        Assert.Contains(".intunewin", wrongType.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("at most 30 GiB", overLimit.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("sizeEncrypted must be 64", badSizes.Error!.Message, StringComparison.Ordinal);
        Assert.All(new[] { wrongType, overLimit, badSizes }, e => Assert.Equal(400, e.ResponseStatusCode));
        Assert.Empty((await content[version!.Id].Files.GetAsync())!.Value!);
    }

    [Fact]
    public async Task Commit_AfterTheUploadUriExpired_Is400UntilRenewUpload()
    {
        var graph = unit.Graph();
        var package = PackagedFile.Random(4_000, seed: 5);
        var (app, version, file) = await DeclareAsync(graph, package);
        var files = graph.DeviceAppManagement.MobileApps[app.Id].GraphWin32LobApp.ContentVersions[version.Id].Files;
        await UploadInBlocksAsync(file.AzureStorageUri!, package.Upload);

        unit.Clock.Advance(TimeSpan.FromMinutes(16));
        var expired = await Assert.ThrowsAsync<ODataError>(() => files[file.Id].Commit.PostAsync(new CommitPostRequestBody { FileEncryptionInfo = package.EncryptionInfo() }));
        await files[file.Id].RenewUpload.PostAsync();
        var renewed = await files[file.Id].GetAsync();
        await files[file.Id].Commit.PostAsync(new CommitPostRequestBody { FileEncryptionInfo = package.EncryptionInfo() });

        Assert.Equal(400, expired.ResponseStatusCode);
        Assert.Contains("renewUpload", expired.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(MobileAppContentFileUploadState.AzureStorageUriRenewalSuccess, renewed!.UploadState);
        Assert.True(renewed.AzureStorageUriExpirationDateTime > unit.Clock.GetUtcNow());
        Assert.Equal(MobileAppContentFileUploadState.CommitFileSuccess, (await files[file.Id].GetAsync())!.UploadState);
    }

    [Fact]
    public async Task Upload_WithAnExpiredSas_IsRefusedByTheStorage()
    {
        var graph = unit.Graph();
        var app = await CreateWin32Async(graph);
        var grain = unit.Host.Grains.GetGrain<Intune.Grains.Apps.IMobileAppGrain>(Intune.Grains.GrainKeys.Scoped(unit.TenantId, app.Id!));
        var store = unit.Host.Services.GetRequiredService<Intune.Grains.Apps.IAppContentStore>();
        var version = await grain.CreateContentVersionAsync();
        var name = Intune.Grains.Apps.AppContentBlobs.Name(unit.TenantId, app.Id!, version.Id, "expired");

        var stale = store.UploadUri(name, DateTimeOffset.UtcNow.AddMinutes(-1));

        var refused = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => new BlockBlobClient(stale).UploadAsync(new MemoryStream([1, 2, 3])));
        Assert.Equal(403, refused.Status);
    }

    [Fact]
    public async Task Delete_App_RemovesItsPackages()
    {
        var graph = unit.Graph();
        var package = PackagedFile.Random(1_000, seed: 7);
        var (app, version, file) = await DeclareAsync(graph, package);
        await UploadInBlocksAsync(file.AzureStorageUri!, package.Upload);
        await graph.DeviceAppManagement.MobileApps[app.Id].GraphWin32LobApp.ContentVersions[version.Id].Files[file.Id].Commit
            .PostAsync(new CommitPostRequestBody { FileEncryptionInfo = package.EncryptionInfo() });
        Assert.True(await BlobExistsAsync(app.Id, version.Id, file.Id));

        await graph.DeviceAppManagement.MobileApps[app.Id].DeleteAsync();

        Assert.False(await BlobExistsAsync(app.Id, version.Id, file.Id));
        var gone = await Assert.ThrowsAsync<ODataError>(() => graph.DeviceAppManagement.MobileApps[app.Id].GetAsync());
        Assert.Equal(404, gone.ResponseStatusCode);
    }

    [Fact]
    public async Task PatchCommittedContentVersion_WithUncommittedFiles_Is400()
    {
        var graph = unit.Graph();
        var package = PackagedFile.Random(1_000, seed: 8);
        var (app, version, _) = await DeclareAsync(graph, package);

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.DeviceAppManagement.MobileApps[app.Id].PatchAsync(new Win32LobApp { CommittedContentVersion = version.Id }));

        Assert.Equal(400, error.ResponseStatusCode);
        Assert.Contains("not committed", error.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherTenant_SeesNeitherTheAppNorItsContent()
    {
        var app = await CreateWin32Async(unit.Graph());
        var (otherTenant, _) = await unit.Host.CreateTenantAsync("Fabrikam");
        var other = unit.Graph(otherTenant);

        var error = await Assert.ThrowsAsync<ODataError>(() => other.DeviceAppManagement.MobileApps[app.Id].GraphWin32LobApp.ContentVersions.PostAsync(new MobileAppContent()));

        Assert.Equal(404, error.ResponseStatusCode);
        Assert.Empty((await other.DeviceAppManagement.MobileApps.GetAsync())!.Value!);
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

    internal static async Task<Win32LobApp> CreateWin32Async(GraphServiceClient graph) =>
        (Win32LobApp)(await graph.DeviceAppManagement.MobileApps.PostAsync(new Win32LobApp
        {
            DisplayName = "Contoso Agent",
            Publisher = "Contoso",
            FileName = "setup.intunewin",
            SetupFilePath = "setup.exe",
            InstallCommandLine = "setup.exe /quiet",
            UninstallCommandLine = "setup.exe /uninstall /quiet",
            ApplicableArchitectures = WindowsArchitecture.X64,
            MinimumSupportedWindowsRelease = "1607",
            Rules =
            [
                new Win32LobAppFileSystemRule
                {
                    RuleType = Win32LobAppRuleType.Detection,
                    Path = "C:\\Program Files\\Contoso",
                    FileOrFolderName = "agent.exe",
                    OperationType = Win32LobAppFileSystemOperationType.Exists,
                },
            ],
        }))!;

    internal static async Task<(Win32LobApp App, MobileAppContent Version, MobileAppContentFile File)> DeclareAsync(GraphServiceClient graph, PackagedFile package)
    {
        var app = await CreateWin32Async(graph);
        var content = graph.DeviceAppManagement.MobileApps[app.Id].GraphWin32LobApp.ContentVersions;
        var version = await content.PostAsync(new MobileAppContent());
        var file = await content[version!.Id].Files.PostAsync(FileFor(package, "setup.intunewin"));
        return (app, version, file!);
    }

    internal static MobileAppContentFile FileFor(PackagedFile package, string name) => new()
    {
        Name = name,
        Size = package.Content.Length,
        SizeEncrypted = package.Upload.Length,
        Manifest = Encoding.UTF8.GetBytes("<ApplicationInfo/>"),
    };

    /// <summary>Put Block in 64 KiB pieces then Put Block List, as upload scripts do against the SAS URL.</summary>
    private static async Task UploadInBlocksAsync(string sasUri, byte[] bytes)
    {
        var blob = new BlockBlobClient(new Uri(sasUri));
        var ids = new List<string>();
        for (var offset = 0; offset < bytes.Length; offset += 64 * 1024)
        {
            var id = Convert.ToBase64String(BitConverter.GetBytes(ids.Count));
            await blob.StageBlockAsync(id, new MemoryStream(bytes, offset, Math.Min(64 * 1024, bytes.Length - offset)));
            ids.Add(id);
        }

        await blob.CommitBlockListAsync(ids);
    }

    private async Task<bool> BlobExistsAsync(string? appId, string? versionId, string? fileId) =>
        (await unit.Container.GetBlobClient(Intune.Grains.Apps.AppContentBlobs.Name(unit.TenantId, appId!, versionId!, fileId!)).ExistsAsync()).Value;

    /// <summary>A scale unit with one tenant on a clock the tests move.</summary>
    public sealed class Unit : IAsyncLifetime
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        public ScaleUnitTestHost Host { get; }

        public Unit() => Host = new ScaleUnitTestHost { Time = Clock };

        public string TenantId { get; private set; } = string.Empty;

        public BlobContainerClient Container => new BlobServiceClient(Host.Unit.StorageConnectionString)
            .GetBlobContainerClient(ScaleUnitStorageLayout.For(Host.Unit).AppContent.Name);

        /// <summary>
        /// Tokens on the real clock, which the bearer validation uses: the unit's own issuer follows the
        /// moved clock, and a token issued in the future is refused.
        /// </summary>
        public GraphServiceClient Graph(string? tenantId = null, string role = "Intune Administrator") =>
            new(new BearerTokenProvider(Token(tenantId ?? TenantId, role)), $"http://127.0.0.1:{Host.AdminPort}/v1.0");

        public string Token(string tenantId, string role = "Intune Administrator") =>
            new Intune.AdminGateway.Auth.AdminTokenIssuer(
                Host.Services.GetRequiredService<Intune.AdminGateway.Auth.AdminAuthOptions>(),
                Host.Services.GetRequiredService<Intune.AdminGateway.Auth.AdminSigningKey>().Key!,
                TimeProvider.System).Issue(tenantId, [role], "admin@contoso.example", TimeSpan.FromHours(1));

        public async Task InitializeAsync()
        {
            await Host.StartAsync();
            (TenantId, _) = await Host.CreateTenantAsync();
        }

        public Task DisposeAsync() => Host.StopAsync();
    }

    private sealed class BearerTokenProvider(string token) : IAuthenticationProvider
    {
        public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
        {
            request.Headers.Add("Authorization", $"Bearer {token}");
            return Task.CompletedTask;
        }
    }
}


/// <summary>Uploads never committed go after their retention: on a unit of its own, as the clock jumps a day.</summary>
public sealed class UploadRetentionTests(MobileAppsSdkTests.Unit unit) : IClassFixture<MobileAppsSdkTests.Unit>
{
    [Fact]
    public async Task UncommittedFile_AfterTheRetention_IsRemovedWithItsBlocks()
    {
        var graph = unit.Graph();
        var package = PackagedFile.Random(3_000, seed: 6);
        var (app, version, file) = await MobileAppsSdkTests.DeclareAsync(graph, package);
        var blob = new BlockBlobClient(new Uri(file.AzureStorageUri!));
        await blob.StageBlockAsync(Convert.ToBase64String(new byte[] { 0, 0, 0, 1 }), new MemoryStream(package.Upload));
        var grain = unit.Host.Grains.GetGrain<Intune.Grains.Apps.IMobileAppGrain>(Intune.Grains.GrainKeys.Scoped(unit.TenantId, app.Id!));

        unit.Clock.Advance(Intune.Grains.Apps.AppContentLimits.UncommittedRetention + TimeSpan.FromMinutes(1));

        await Assert.ThrowsAsync<Intune.Grains.Errors.NotFoundException>(() => grain.GetContentFileAsync(version.Id!, file.Id!));
        // Blocks never committed are reachable only through their block list; none is left.
        var leftover = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => unit.Container.GetBlockBlobClient(Intune.Grains.Apps.AppContentBlobs.Name(unit.TenantId, app.Id!, version.Id!, file.Id!))
            .GetBlockListAsync(Azure.Storage.Blobs.Models.BlockListTypes.All));
        Assert.Equal(404, leftover.Status);
    }

}
