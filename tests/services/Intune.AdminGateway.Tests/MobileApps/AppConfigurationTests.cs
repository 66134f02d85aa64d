using System.Net;
using System.Text;
using Intune.Device.V1;
using Intune.DeviceSim.Apps;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;

namespace Intune.AdminGateway.Tests.MobileApps;

/// <summary>
/// App configurations through the Graph SDK: created for an app, assigned, delivered with the app
/// to the devices they reach with each device's token values substituted; bad input refused.
/// </summary>
public sealed class AppConfigurationTests(MobileAppsSdkTests.Unit unit) : IClassFixture<MobileAppsSdkTests.Unit>
{
    [Fact]
    public async Task IosConfiguration_AssignedWithItsApp_ReachesTheDeviceWithItsTokensReplaced()
    {
        var graph = unit.Graph();
        var mail = await graph.DeviceAppManagement.MobileApps.PostAsync(new IosStoreApp { DisplayName = "Mail", Publisher = "Contoso", BundleId = "com.contoso.mail", AppStoreUrl = "https://apps.apple.com/app/id1" });
        var configuration = await graph.DeviceAppManagement.MobileAppConfigurations.PostAsync(new IosMobileAppConfiguration
        {
            DisplayName = "Mail settings",
            TargetedMobileApps = [mail!.Id!],
            Settings =
            [
                new AppConfigurationSettingItem { AppConfigKey = "account", AppConfigKeyType = MdmAppConfigKeyType.StringType, AppConfigKeyValue = "{{userprincipalname}}" },
                new AppConfigurationSettingItem { AppConfigKey = "device", AppConfigKeyType = MdmAppConfigKeyType.StringType, AppConfigKeyValue = "{{deviceid}} \"{{devicename}}\"" },
            ],
        });
        await graph.DeviceAppManagement.MobileAppConfigurations[configuration!.Id].Assign.PostAsync(new Microsoft.Graph.DeviceAppManagement.MobileAppConfigurations.Item.Assign.AssignPostRequestBody
        {
            Assignments = [new ManagedDeviceMobileAppConfigurationAssignment { Target = new AllDevicesAssignmentTarget() }],
        });
        await graph.DeviceAppManagement.MobileApps[mail.Id].Assign.PostAsync(new Microsoft.Graph.DeviceAppManagement.MobileApps.Item.Assign.AssignPostRequestBody
        {
            MobileAppAssignments = [new MobileAppAssignment { Intent = InstallIntent.Required, Target = new AllDevicesAssignmentTarget() }],
        });
        var token = await unit.Host.Grains.GetGrain<Intune.Grains.Tenants.ITenantGrain>(unit.TenantId).CreateEnrollmentTokenAsync(TimeSpan.FromHours(1), null);
        using var device = unit.Host.NewDevice(Platform.Ios, 7);
        device.Apps = new AppInstaller(new HttpClient());
        await device.EnrollAsync(token.Token!);

        var answer = await device.CheckInAsync();
        var read = Assert.IsType<IosMobileAppConfiguration>(await graph.DeviceAppManagement.MobileAppConfigurations[configuration.Id].GetAsync());

        var instruction = Assert.Single(answer.Apps, a => a.AppId == mail.Id);
        Assert.Equal(configuration.Id, instruction.ConfigurationId);
        var settings = System.Text.Json.Nodes.JsonNode.Parse(instruction.Configuration)!.AsArray();
        Assert.Equal(device.Profile.UserPrincipalName, settings[0]!["appConfigKeyValue"]!.GetValue<string>());
        Assert.Equal($"{device.DeviceId} \"{device.Profile.DeviceName}\"", settings[1]!["appConfigKeyValue"]!.GetValue<string>());
        Assert.Equal("{{userprincipalname}}", read.Settings![0].AppConfigKeyValue);
        Assert.Equal(2, read.Version);
    }

    [Theory]
    [InlineData("{\"@odata.type\":\"#microsoft.graph.windowsAppConfiguration\",\"displayName\":\"X\",\"targetedMobileApps\":[\"APP\"]}", "not a supported")]
    [InlineData("{\"@odata.type\":\"#microsoft.graph.iosMobileAppConfiguration\",\"displayName\":\"X\",\"targetedMobileApps\":[]}", "at least one app")]
    [InlineData("{\"@odata.type\":\"#microsoft.graph.iosMobileAppConfiguration\",\"displayName\":\"X\",\"targetedMobileApps\":[\"ANDROID\"]}", "is not a iosStoreApp or iosLobApp")]
    [InlineData("{\"@odata.type\":\"#microsoft.graph.iosMobileAppConfiguration\",\"displayName\":\"X\",\"targetedMobileApps\":[\"APP\"],\"settings\":[{\"appConfigKey\":\"k\",\"appConfigKeyType\":\"colorType\"}]}", "appConfigKeyType")]
    [InlineData("{\"@odata.type\":\"#microsoft.graph.iosMobileAppConfiguration\",\"displayName\":\"X\",\"targetedMobileApps\":[\"APP\"],\"encodedSettingXml\":\"not base64!\"}", "base64")]
    [InlineData("{\"@odata.type\":\"#microsoft.graph.androidManagedStoreAppConfiguration\",\"displayName\":\"X\",\"targetedMobileApps\":[\"ANDROID\"],\"payloadJson\":\"{oops\"}", "payloadJson is not JSON")]
    [InlineData("{\"@odata.type\":\"#microsoft.graph.iosMobileAppConfiguration\",\"displayName\":\"X\",\"targetedMobileApps\":[\"APP\"],\"payloadJson\":\"{}\"}", "'payloadJson' is not a property of iosMobileAppConfiguration")]
    public async Task Create_BadBody_Is400AndCreatesNothing(string body, string expected)
    {
        var graph = unit.Graph();
        var ios = await graph.DeviceAppManagement.MobileApps.PostAsync(new IosStoreApp { DisplayName = "Mail", Publisher = "Contoso", BundleId = "com.contoso.mail", AppStoreUrl = "https://apps.apple.com/app/id1" });
        var android = await ManagedPlayAppAsync(graph, "Contoso", "com.contoso.chat");
        using var client = unit.Host.AdminClient(unit.Token(unit.TenantId));
        var before = (await graph.DeviceAppManagement.MobileAppConfigurations.GetAsync())!.Value!.Count;

        var response = await client.PostAsync("deviceAppManagement/mobileAppConfigurations", new StringContent(body.Replace("APP", ios!.Id, StringComparison.Ordinal).Replace("ANDROID", android!.Id, StringComparison.Ordinal), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, (await graph.DeviceAppManagement.MobileAppConfigurations.GetAsync())!.Value!.Count);
    }

    [Fact]
    public async Task AndroidConfiguration_OfAnotherTenantsApp_IsRefused_AndAssignToAForeignGroupIsNotFound()
    {
        var (otherTenant, _) = await unit.Host.CreateTenantAsync("Fabrikam");
        var foreignApp = await ManagedPlayAppAsync(unit.Graph(otherTenant), "Fabrikam", "com.fabrikam.chat");
        using var client = unit.Host.AdminClient(unit.Token(unit.TenantId));

        var foreign = await client.PostAsync("deviceAppManagement/mobileAppConfigurations", new StringContent(
            $"{{\"@odata.type\":\"#microsoft.graph.androidManagedStoreAppConfiguration\",\"displayName\":\"X\",\"targetedMobileApps\":[\"{foreignApp!.Id}\"],\"payloadJson\":\"{{}}\"}}", Encoding.UTF8, "application/json"));
        var own = await ManagedPlayAppAsync(unit.Graph(), "Contoso", "com.contoso.chat");
        var created = await client.PostAsync("deviceAppManagement/mobileAppConfigurations", new StringContent(
            $"{{\"@odata.type\":\"#microsoft.graph.androidManagedStoreAppConfiguration\",\"displayName\":\"Chat\",\"targetedMobileApps\":[\"{own!.Id}\"],\"packageId\":\"com.contoso.chat\",\"payloadJson\":\"{{\\\"kind\\\":\\\"androidenterprise#managedConfiguration\\\",\\\"managedProperty\\\":[{{\\\"key\\\":\\\"user\\\",\\\"valueString\\\":\\\"{{{{userprincipalname}}}}\\\"}}]}}\"}}", Encoding.UTF8, "application/json"));
        var id = System.Text.Json.Nodes.JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        var assign = await client.PostAsync($"deviceAppManagement/mobileAppConfigurations/{id}/assign", new StringContent(
            $"{{\"assignments\":[{{\"target\":{{\"@odata.type\":\"#microsoft.graph.groupAssignmentTarget\",\"groupId\":\"{Guid.NewGuid()}\"}}}}]}}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, assign.StatusCode);
        Assert.Empty((await unit.Graph().DeviceAppManagement.MobileAppConfigurations[id].Assignments.GetAsync())!.Value!);
    }

    /// <summary>The v1.0 SDK has no AndroidManagedStoreApp class: the base type with the type name and properties added.</summary>
    private static Task<MobileApp?> ManagedPlayAppAsync(Microsoft.Graph.GraphServiceClient graph, string publisher, string packageId) =>
        graph.DeviceAppManagement.MobileApps.PostAsync(new MobileApp
        {
            OdataType = "#microsoft.graph.androidManagedStoreApp",
            DisplayName = "Chat",
            Publisher = publisher,
            AdditionalData = new Dictionary<string, object> { ["packageId"] = packageId, ["appStoreUrl"] = $"https://play.google.com/store/apps/details?id={packageId}" },
        });
}
