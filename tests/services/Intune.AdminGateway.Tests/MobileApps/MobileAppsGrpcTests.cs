using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using V1 = Intune.Admin.V1;

namespace Intune.AdminGateway.Tests.MobileApps;

/// <summary>The admin gRPC twin of the app catalog and upload: the same service, rules, permissions and audit as REST.</summary>
public sealed class MobileAppsGrpcTests(MobileAppsSdkTests.Unit unit) : IClassFixture<MobileAppsSdkTests.Unit>
{
    private Metadata Auth(string role = "Intune Administrator") => new() { { "Authorization", $"Bearer {unit.Token(unit.TenantId, role)}" } };

    [Fact]
    public async Task CreateUploadCommitAssign_OverGrpc_ReadsBackOverRest()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{unit.Host.AdminGrpcPort}");
        var apps = new V1.MobileApps.MobileAppsClient(channel);
        var package = PackagedFile.Random(20_000, seed: 21);

        var app = await apps.CreateMobileAppAsync(new V1.CreateMobileAppRequest { GraphBody = Struct("""
            {"@odata.type":"#microsoft.graph.win32LobApp","displayName":"Agent","publisher":"Contoso","fileName":"agent.intunewin",
             "installCommandLine":"agent.exe /i","uninstallCommandLine":"agent.exe /u",
             "rules":[{"@odata.type":"#microsoft.graph.win32LobAppFileSystemRule","ruleType":"detection","path":"C:\\Agent","fileOrFolderName":"agent.exe","operationType":"exists"}]}
            """) }, Auth());
        var version = await apps.CreateContentVersionAsync(new V1.MobileAppRef { Id = app.Id }, Auth());
        var file = await apps.CreateContentFileAsync(new V1.CreateContentFileRequest
        {
            AppId = app.Id,
            ContentVersionId = version.Id,
            GraphBody = Struct($$"""{"name":"agent.intunewin","size":{{package.Content.Length}},"sizeEncrypted":{{package.Upload.Length}}}"""),
        }, Auth());
        var blob = new Azure.Storage.Blobs.Specialized.BlockBlobClient(new Uri(file.GraphBody.Fields["azureStorageUri"].StringValue));
        await blob.UploadAsync(new MemoryStream(package.Upload));
        var fileRef = new V1.ContentFileRef { AppId = app.Id, ContentVersionId = version.Id, FileId = file.GraphBody.Fields["id"].StringValue };
        var committed = await apps.CommitContentFileAsync(new V1.CommitContentFileRequest
        {
            File = fileRef,
            GraphBody = Struct(new System.Text.Json.Nodes.JsonObject
            {
                ["fileEncryptionInfo"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["encryptionKey"] = B64(package.Key),
                    ["initializationVector"] = B64(package.Iv),
                    ["mac"] = B64(package.Mac),
                    ["macKey"] = B64(package.MacKey),
                    ["profileIdentifier"] = "ProfileVersion1",
                    ["fileDigest"] = B64(package.Digest),
                    ["fileDigestAlgorithm"] = "SHA256",
                },
            }.ToJsonString()),
        }, Auth());
        await apps.UpdateMobileAppAsync(new V1.UpdateMobileAppRequest { Id = app.Id, GraphBody = Struct($$"""{"committedContentVersion":"{{version.Id}}"}""") }, Auth());
        var assigned = await apps.AssignMobileAppAsync(new V1.AssignMobileAppRequest
        {
            Id = app.Id,
            GraphBody = Struct("""{"mobileAppAssignments":[{"intent":"required","target":{"@odata.type":"#microsoft.graph.allDevicesAssignmentTarget"}}]}"""),
        }, Auth());
        var read = await unit.Graph().DeviceAppManagement.MobileApps[app.Id].GetAsync();

        Assert.Equal("#microsoft.graph.win32LobApp", app.OdataType);
        Assert.Equal("commitFileSuccess", committed.GraphBody.Fields["uploadState"].StringValue);
        Assert.Equal("required", Assert.Single(assigned.Assignments).Fields["intent"].StringValue);
        Assert.Equal(version.Id, Assert.IsType<Microsoft.Graph.Models.Win32LobApp>(read).CommittedContentVersion);
    }

    [Fact]
    public async Task BadInputAndRefusals_AreTheirGrpcStatuses()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{unit.Host.AdminGrpcPort}");
        var apps = new V1.MobileApps.MobileAppsClient(channel);

        var unknownType = await Assert.ThrowsAsync<RpcException>(() => apps.CreateMobileAppAsync(new V1.CreateMobileAppRequest { GraphBody = Struct("""{"@odata.type":"#microsoft.graph.contosoApp","displayName":"X","publisher":"P"}""") }, Auth()).ResponseAsync);
        var readOnly = await Assert.ThrowsAsync<RpcException>(() => apps.CreateMobileAppAsync(new V1.CreateMobileAppRequest { GraphBody = Struct("""{"@odata.type":"#microsoft.graph.webApp","displayName":"X","publisher":"P","appUrl":"https://a"}""") }, Auth("Read Only Operator")).ResponseAsync);
        var web = await apps.CreateMobileAppAsync(new V1.CreateMobileAppRequest { GraphBody = Struct("""{"@odata.type":"#microsoft.graph.webApp","displayName":"X","publisher":"P","appUrl":"https://a"}""") }, Auth());
        var noContent = await Assert.ThrowsAsync<RpcException>(() => apps.CreateContentVersionAsync(new V1.MobileAppRef { Id = web.Id }, Auth()).ResponseAsync);
        var missing = await Assert.ThrowsAsync<RpcException>(() => apps.GetMobileAppAsync(new V1.MobileAppRef { Id = Guid.NewGuid().ToString() }, Auth()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, unknownType.StatusCode);
        Assert.Contains("contosoApp", unknownType.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, readOnly.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, noContent.StatusCode);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    private static Struct Struct(string json) => Google.Protobuf.JsonParser.Default.Parse<Struct>(json);

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes);
}

/// <summary>The admin gRPC twin of app configurations.</summary>
public sealed class AppConfigurationsGrpcTests(MobileAppsSdkTests.Unit unit) : IClassFixture<MobileAppsSdkTests.Unit>
{
    [Fact]
    public async Task CreateAssignGet_OverGrpc_AndAForeignAppIsInvalidArgument()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{unit.Host.AdminGrpcPort}");
        var configurations = new V1.AppConfigurations.AppConfigurationsClient(channel);
        var auth = new Metadata { { "Authorization", $"Bearer {unit.Token(unit.TenantId)}" } };
        var app = await unit.Graph().DeviceAppManagement.MobileApps.PostAsync(new Microsoft.Graph.Models.IosStoreApp { DisplayName = "Mail", Publisher = "Contoso", BundleId = "com.contoso.mail", AppStoreUrl = "https://apps.apple.com/app/id1" });

        var created = await configurations.CreateAppConfigurationAsync(new V1.AppConfigurationBody
        {
            GraphBody = Google.Protobuf.JsonParser.Default.Parse<Struct>(
            $$"""{"@odata.type":"#microsoft.graph.iosMobileAppConfiguration","displayName":"Mail","targetedMobileApps":["{{app!.Id}}"],"settings":[{"appConfigKey":"u","appConfigKeyType":"stringType","appConfigKeyValue":"{{"{{userprincipalname}}"}}"}]}""")
        }, auth);
        var assigned = await configurations.AssignAppConfigurationAsync(new V1.UpdateAppConfigurationRequest
        {
            Id = created.Id,
            GraphBody = Google.Protobuf.JsonParser.Default.Parse<Struct>("""{"assignments":[{"target":{"@odata.type":"#microsoft.graph.allLicensedUsersAssignmentTarget"}}]}"""),
        }, auth);
        var foreign = await Assert.ThrowsAsync<RpcException>(() => configurations.CreateAppConfigurationAsync(new V1.AppConfigurationBody
        {
            GraphBody = Google.Protobuf.JsonParser.Default.Parse<Struct>(
            $$"""{"@odata.type":"#microsoft.graph.iosMobileAppConfiguration","displayName":"X","targetedMobileApps":["{{Guid.NewGuid()}}"]}""")
        }, auth).ResponseAsync);

        Assert.Equal("{{userprincipalname}}", created.GraphBody.Fields["settings"].ListValue.Values[0].StructValue.Fields["appConfigKeyValue"].StringValue);
        Assert.Single(assigned.GraphBody.Fields["assignments"].ListValue.Values);
        Assert.Equal(StatusCode.InvalidArgument, foreign.StatusCode);
    }
}
