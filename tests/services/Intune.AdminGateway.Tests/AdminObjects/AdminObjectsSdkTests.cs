using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Tests.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;

namespace Intune.AdminGateway.Tests.AdminObjects;

/// <summary>deviceCategories and termsAndConditions through the real Graph SDK, and the backup-then-restore round trip tools do.</summary>
public sealed class AdminObjectsSdkTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private ScaleUnitTestHost Host => fixture.Host;

    [Fact]
    public async Task DeviceCategories_CreateReadPatchDelete_WithDocumentedStatuses()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        var graph = GraphSdkClient.For(Host, tenantId);

        var created = await graph.DeviceManagement.DeviceCategories.PostAsync(new DeviceCategory { DisplayName = "Kiosks", Description = "Shared floor devices" });
        await graph.DeviceManagement.DeviceCategories[created!.Id].PatchAsync(new DeviceCategory { Description = "Shop floor" });
        var read = await graph.DeviceManagement.DeviceCategories[created.Id].GetAsync();
        var filtered = await graph.DeviceManagement.DeviceCategories.GetAsync(r => r.QueryParameters.Filter = "startswith(displayName,'kio')");
        await graph.DeviceManagement.DeviceCategories[created.Id].DeleteAsync();
        var gone = await Assert.ThrowsAsync<ODataError>(() => graph.DeviceManagement.DeviceCategories[created.Id].GetAsync());
        var stranger = await GraphSdkClient.For(Host, Guid.NewGuid().ToString()).DeviceManagement.DeviceCategories.GetAsync();

        Assert.Equal("Kiosks", read!.DisplayName);
        Assert.Equal("Shop floor", read.Description);
        Assert.Equal(created.Id, Assert.Single(filtered!.Value!).Id);
        Assert.Equal(404, gone.ResponseStatusCode);
        Assert.Empty(stranger!.Value!);
    }

    [Fact]
    public async Task TermsAndConditions_CreateWithDates_AndBadInputIs400()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        var graph = GraphSdkClient.For(Host, tenantId);
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));

        var created = await graph.DeviceManagement.TermsAndConditions.PostAsync(new TermsAndConditions
        {
            DisplayName = "Corporate terms",
            Title = "Use of company devices",
            BodyText = "Be nice.",
            AcceptanceStatement = "I agree",
            Version = 1,
        });
        var missing = await admin.PostAsync("deviceManagement/termsAndConditions", Json("""{"@odata.type":"#microsoft.graph.termsAndConditions","displayName":"No body"}"""));
        var unknown = await admin.PostAsync("deviceManagement/termsAndConditions", Json("""{"@odata.type":"#microsoft.graph.termsAndConditions","displayName":"x","title":"t","bodyText":"b","acceptanceStatement":"a","frobnicate":true}"""));
        var list = await graph.DeviceManagement.TermsAndConditions.GetAsync();

        Assert.Equal("Use of company devices", created!.Title);
        Assert.NotEqual(default, created.CreatedDateTime);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("title", (string?)(await missing.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("frobnicate", (string?)(await unknown.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["message"], StringComparison.Ordinal);
        Assert.Single(list!.Value!);
    }

    [Fact]
    public async Task NotificationTemplates_WithLocalizedMessages_NestedUnderTheirTemplate()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        var graph = GraphSdkClient.For(Host, tenantId);
        using var stranger = Host.AdminClient(Host.AdminToken(Guid.NewGuid().ToString()));

        var template = await graph.DeviceManagement.NotificationMessageTemplates.PostAsync(new NotificationMessageTemplate { DisplayName = "Noncompliant", DefaultLocale = "en-us", BrandingOptions = NotificationTemplateBrandingOptions.IncludeCompanyLogo });
        var message = await graph.DeviceManagement.NotificationMessageTemplates[template!.Id].LocalizedNotificationMessages.PostAsync(new LocalizedNotificationMessage { Locale = "en-us", Subject = "Your device", MessageTemplate = "Please update it.", IsDefault = true });
        var messages = await graph.DeviceManagement.NotificationMessageTemplates[template.Id].LocalizedNotificationMessages.GetAsync();
        var ofNothing = await Assert.ThrowsAsync<ODataError>(() => graph.DeviceManagement.NotificationMessageTemplates[Guid.NewGuid().ToString()].LocalizedNotificationMessages.GetAsync());
        var ofAnotherTenant = await stranger.GetAsync($"deviceManagement/notificationMessageTemplates/{template.Id}/localizedNotificationMessages");
        var badLocale = await Assert.ThrowsAsync<ODataError>(() => graph.DeviceManagement.NotificationMessageTemplates[template.Id].LocalizedNotificationMessages.PostAsync(new LocalizedNotificationMessage { Locale = "English", Subject = "s", MessageTemplate = "m" }));

        Assert.Equal(NotificationTemplateBrandingOptions.IncludeCompanyLogo, template.BrandingOptions);
        Assert.Equal("Your device", Assert.Single(messages!.Value!).Subject);
        Assert.Equal(message!.Id, messages.Value![0].Id);
        Assert.Equal(404, ofNothing.ResponseStatusCode);
        Assert.Equal(HttpStatusCode.NotFound, ofAnotherTenant.StatusCode);
        Assert.Equal(400, badLocale.ResponseStatusCode);
    }

    [Fact]
    public async Task BackupThenRestore_ReadEverythingDeleteRecreateFromTheExport_ReadsBackTheSame()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId), "beta");
        await admin.PostAsync("deviceManagement/deviceCategories", Json("""{"@odata.type":"#microsoft.graph.deviceCategory","displayName":"Kiosks","description":"Floor"}"""));
        await admin.PostAsync("deviceManagement/termsAndConditions", Json("""{"@odata.type":"#microsoft.graph.termsAndConditions","displayName":"T","title":"Title","bodyText":"Body","acceptanceStatement":"OK","version":2}"""));
        await admin.PostAsync("deviceManagement/roleScopeTags", Json("""{"@odata.type":"#microsoft.graph.roleScopeTag","displayName":"Paris","description":"Office"}"""));
        string[] collections = ["deviceManagement/deviceCategories", "deviceManagement/termsAndConditions", "deviceManagement/roleScopeTags"];

        var export = new Dictionary<string, List<JsonObject>>();
        foreach (var collection in collections)
        {
            export[collection] = (await admin.GetFromJsonAsync<JsonObject>(collection))!["value"]!.AsArray().Select(o => o!.AsObject()).Where(o => o["isBuiltIn"] is null || !(bool)o["isBuiltIn"]!).ToList();
            foreach (var item in export[collection])
            {
                Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"{collection}/{(string)item["id"]!}")).StatusCode);
            }
        }

        foreach (var collection in collections)
        {
            foreach (var item in export[collection])
            {
                // What tools send back: the object as read, read-only properties included.
                var restored = await admin.PostAsync(collection, Json(item.ToJsonString()));
                Assert.True(restored.StatusCode == HttpStatusCode.Created, await restored.Content.ReadAsStringAsync());
            }
        }

        foreach (var collection in collections)
        {
            var after = (await admin.GetFromJsonAsync<JsonObject>(collection))!["value"]!.AsArray().Select(o => o!.AsObject()).Where(o => o["isBuiltIn"] is null || !(bool)o["isBuiltIn"]!).ToList();
            Assert.Equal(export[collection].Count, after.Count);
            foreach (var (before, now) in export[collection].Zip(after))
            {
                foreach (var (name, value) in before.Where(p => p.Key is not ("id" or "createdDateTime" or "lastModifiedDateTime")))
                {
                    Assert.True(JsonNode.DeepEquals(value, now[name]), $"{collection}.{name}: {value?.ToJsonString()} became {now[name]?.ToJsonString()}");
                }
            }
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
