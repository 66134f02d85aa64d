using System.Text.Json.Nodes;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Operations;
using Intune.Grains.Apps;
using Intune.Grains.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Resources.MobileApps;

/// <summary>
/// <c>/v1.0/deviceAppManagement/mobileApps</c>: the catalog with <c>@odata.type</c> polymorphism,
/// <c>assign</c> (replaces all, 204), categories, and package upload through the type-cast path
/// Graph uses (<c>mobileApps/{id}/microsoft.graph.win32LobApp/contentVersions/{v}/files/{f}</c>).
/// </summary>
public static class MobileAppsApi
{
    private const string ContextPath = "deviceAppManagement/mobileApps";

    public static RouteGroupBuilder MapMobileAppsApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/deviceAppManagement/mobileAppCategories", (HttpContext context) =>
            GraphResults.Collection(context, "deviceAppManagement/mobileAppCategories", MobileAppService.Categories.Select(Category)))
            .Is(MobileAppOperations.ListCategories);

        v1.MapGet("/deviceManagement/managedDevices/{id}/detectedApps", async (string id, HttpContext context, MobileAppService service) =>
            GraphResults.Collection(context, $"deviceManagement/managedDevices('{id}')/detectedApps", (await service.DetectedAppsAsync(context.CallerTenantId(), id)).Select(MobileAppGraphMapping.WriteDetectedApp)))
            .Is(MobileAppOperations.DetectedApps);

        var apps = v1.MapGroup("/deviceAppManagement/mobileApps");
        apps.MapGet("", async (HttpContext context, MobileAppService service) =>
        {
            var expand = Expand(context);
            var values = new List<JsonNode?>();
            foreach (var app in await service.ListAsync(context.CallerTenantId()))
            {
                values.Add(MobileAppGraphMapping.Write(app, null, expand ? await (await service.ExistingAsync(context.CallerTenantId(), app.Id)).GetAssignmentsAsync() : null));
            }

            return GraphResults.Collection(context, ContextPath, values);
        }).Is(MobileAppOperations.List);

        apps.MapGet("/{id}", async (string id, HttpContext context, MobileAppService service) =>
        {
            var app = await service.GetAsync(context.CallerTenantId(), id);
            var grain = await service.ExistingAsync(context.CallerTenantId(), id);
            var content = MobileAppTypes.Find(app.ODataType)!.IsLineOfBusiness ? await grain.GetContentVersionsAsync() : null;
            return GraphResults.Entity(context, $"{ContextPath}/$entity", MobileAppGraphMapping.Write(app, content, Expand(context) ? await grain.GetAssignmentsAsync() : null));
        }).Is(MobileAppOperations.Get);

        apps.MapPost("", async (HttpContext context, MobileAppService service, AuditRecorder audit) =>
        {
            var created = await service.CreateAsync(context.CallerTenantId(), await GraphRequestBody.ReadRequiredObjectAsync(context), audit);
            return GraphResults.Created(context, $"{ContextPath}/$entity", $"{ContextPath}/{created.Id}", MobileAppGraphMapping.Write(created, null, null));
        }).Is(MobileAppOperations.Create);

        apps.MapPatch("/{id}", async (string id, HttpContext context, MobileAppService service, AuditRecorder audit) =>
        {
            await service.UpdateAsync(context.CallerTenantId(), id, await GraphRequestBody.ReadRequiredObjectAsync(context), audit);
            return Results.NoContent();
        }).Is(MobileAppOperations.Update);

        apps.MapDelete("/{id}", async (string id, HttpContext context, MobileAppService service, AuditRecorder audit) =>
        {
            await service.DeleteAsync(context.CallerTenantId(), id, audit);
            return Results.NoContent();
        }).Is(MobileAppOperations.Delete);

        apps.MapPost("/{id}/assign", async (string id, HttpContext context, MobileAppService service, AuditRecorder audit) =>
        {
            // A missing app is 404 before the body is judged, as Graph answers.
            await service.GetAsync(context.CallerTenantId(), id);
            await service.AssignAsync(context.CallerTenantId(), id, await GraphRequestBody.ReadRequiredObjectAsync(context), audit);
            return Results.NoContent();
        }).Is(MobileAppOperations.Assign);

        apps.MapGet("/{id}/assignments", async (string id, HttpContext context, MobileAppService service) =>
        {
            var assignments = await (await service.ExistingAsync(context.CallerTenantId(), id)).GetAssignmentsAsync();
            return GraphResults.Collection(context, $"{ContextPath}('{id}')/assignments", MobileAppGraphMapping.WriteAssignments(assignments).Select(a => a!.DeepClone()));
        }).Is(MobileAppOperations.Get);

        apps.MapGet("/{id}/categories", async (string id, HttpContext context, MobileAppService service) =>
        {
            var app = await service.GetAsync(context.CallerTenantId(), id);
            return GraphResults.Collection(context, $"{ContextPath}('{id}')/categories", MobileAppService.Categories.Where(c => app.CategoryIds.Contains(c.Id)).Select(Category));
        }).Is(MobileAppOperations.Get);

        apps.MapPost("/{id}/categories/$ref", async (string id, HttpContext context, MobileAppService service, AuditRecorder audit) =>
        {
            await service.GetAsync(context.CallerTenantId(), id);
            var body = await GraphRequestBody.ReadRequiredObjectAsync(context);
            var reference = (body["@odata.id"] as JsonValue)?.TryGetValue<string>(out var r) == true ? r : throw new InvalidRequestException("@odata.id is required: the category's URL.", "@odata.id");
            await service.AddCategoryAsync(context.CallerTenantId(), id, reference, audit);
            return Results.NoContent();
        }).Is(MobileAppOperations.AddCategory);

        // Install status (Graph beta's mobileAppInstallStatus, userAppInstallStatus, mobileAppInstallSummary shapes).
        apps.MapGet("/{id}/deviceStatuses", async (string id, HttpContext context, MobileAppService service) =>
        {
            var rows = await (await service.ExistingAsync(context.CallerTenantId(), id)).GetInstallStatusesAsync();
            return GraphResults.Collection(context, $"{ContextPath}('{id}')/deviceStatuses", rows.Select(r => (JsonNode?)MobileAppGraphMapping.WriteDeviceStatus(id, r)));
        }).Is(MobileAppOperations.Reports);

        apps.MapGet("/{id}/userStatuses", async (string id, HttpContext context, MobileAppService service) =>
        {
            var rows = await (await service.ExistingAsync(context.CallerTenantId(), id)).GetInstallStatusesAsync();
            return GraphResults.Collection(context, $"{ContextPath}('{id}')/userStatuses", MobileAppGraphMapping.WriteUserStatuses(id, rows));
        }).Is(MobileAppOperations.Reports);

        apps.MapGet("/{id}/installSummary", async (string id, HttpContext context, MobileAppService service) =>
        {
            var summary = await (await service.ExistingAsync(context.CallerTenantId(), id)).GetInstallSummaryAsync();
            return GraphResults.Entity(context, $"{ContextPath}('{id}')/installSummary/$entity", MobileAppGraphMapping.WriteSummary(id, summary));
        }).Is(MobileAppOperations.Reports);

        MapContent(apps.MapGroup("/{id}/{cast}/contentVersions"));
        return v1;
    }

    private static void MapContent(RouteGroupBuilder versions)
    {
        versions.MapPost("", async (string id, string cast, HttpContext context, MobileAppService service, AuditRecorder audit) =>
        {
            await CheckCastAsync(context, service, id, cast);
            var version = await service.CreateContentVersionAsync(context.CallerTenantId(), id, audit);
            return GraphResults.Created(context, $"{ContextPath}('{id}')/{cast}/contentVersions/$entity", $"{ContextPath}/{id}/{cast}/contentVersions/{version.Id}", MobileAppGraphMapping.WriteContentVersion(version));
        }).Is(MobileAppOperations.CreateContentVersion);

        versions.MapGet("", async (string id, string cast, HttpContext context, MobileAppService service) =>
        {
            await CheckCastAsync(context, service, id, cast);
            var all = await service.ContentVersionsAsync(context.CallerTenantId(), id);
            return GraphResults.Collection(context, $"{ContextPath}('{id}')/{cast}/contentVersions", all.Select(v => (JsonNode?)MobileAppGraphMapping.WriteContentVersion(v)));
        }).Is(MobileAppOperations.Get);

        versions.MapGet("/{version}", async (string id, string cast, string version, HttpContext context, MobileAppService service) =>
        {
            await CheckCastAsync(context, service, id, cast);
            var found = (await service.ContentVersionsAsync(context.CallerTenantId(), id)).FirstOrDefault(v => v.Id == version)
                ?? throw new NotFoundException($"No content version '{version}' exists for mobileApp '{id}'.");
            return GraphResults.Entity(context, $"{ContextPath}('{id}')/{cast}/contentVersions/$entity", MobileAppGraphMapping.WriteContentVersion(found));
        }).Is(MobileAppOperations.Get);

        versions.MapPost("/{version}/files", async (string id, string cast, string version, HttpContext context, MobileAppService service, AuditRecorder audit) =>
        {
            await CheckCastAsync(context, service, id, cast);
            var file = await service.CreateContentFileAsync(context.CallerTenantId(), id, version, await GraphRequestBody.ReadRequiredObjectAsync(context), audit);
            return GraphResults.Created(context, $"{ContextPath}('{id}')/{cast}/contentVersions('{version}')/files/$entity", $"{ContextPath}/{id}/{cast}/contentVersions/{version}/files/{file.Id}", MobileAppGraphMapping.WriteFile(file));
        }).Is(MobileAppOperations.CreateContentFile);

        versions.MapGet("/{version}/files", async (string id, string cast, string version, HttpContext context, MobileAppService service) =>
        {
            await CheckCastAsync(context, service, id, cast);
            var found = (await service.ContentVersionsAsync(context.CallerTenantId(), id)).FirstOrDefault(v => v.Id == version)
                ?? throw new NotFoundException($"No content version '{version}' exists for mobileApp '{id}'.");
            return GraphResults.Collection(context, $"{ContextPath}('{id}')/{cast}/contentVersions('{version}')/files", found.Files.Select(f => (JsonNode?)MobileAppGraphMapping.WriteFile(f)));
        }).Is(MobileAppOperations.Get);

        versions.MapGet("/{version}/files/{file}", async (string id, string cast, string version, string file, HttpContext context, MobileAppService service) =>
        {
            await CheckCastAsync(context, service, id, cast);
            var found = await service.ContentFileAsync(context.CallerTenantId(), id, version, file);
            return GraphResults.Entity(context, $"{ContextPath}('{id}')/{cast}/contentVersions('{version}')/files/$entity", MobileAppGraphMapping.WriteFile(found));
        }).Is(MobileAppOperations.Get);

        versions.MapPost("/{version}/files/{file}/renewUpload", async (string id, string cast, string version, string file, HttpContext context, MobileAppService service, AuditRecorder audit) =>
        {
            await CheckCastAsync(context, service, id, cast);
            await service.RenewUploadAsync(context.CallerTenantId(), id, version, file, audit);
            return Results.NoContent();
        }).Is(MobileAppOperations.RenewUpload);

        versions.MapPost("/{version}/files/{file}/commit", async (string id, string cast, string version, string file, HttpContext context, MobileAppService service, AuditRecorder audit) =>
        {
            await CheckCastAsync(context, service, id, cast);
            await service.CommitAsync(context.CallerTenantId(), id, version, file, await GraphRequestBody.ReadRequiredObjectAsync(context), audit);
            return Results.NoContent();
        }).Is(MobileAppOperations.Commit);
    }

    /// <summary>The type-cast segment must name the app's own type, as Graph's addressing requires.</summary>
    private static async Task CheckCastAsync(HttpContext context, MobileAppService service, string id, string cast)
    {
        var app = await service.GetAsync(context.CallerTenantId(), id);
        // The SDK sends the short alias (graph.win32LobApp); Graph also accepts the full namespace.
        if (cast != "microsoft.graph." + app.ODataType && cast != "graph." + app.ODataType)
        {
            throw new InvalidRequestException($"Resource not found for the segment '{cast}': the app is a microsoft.graph.{app.ODataType}.", "segment");
        }
    }

    private static JsonNode? Category(MobileAppCategory category) => new JsonObject
    {
        ["@odata.type"] = "#microsoft.graph.mobileAppCategory",
        ["id"] = category.Id,
        ["displayName"] = category.DisplayName,
        ["lastModifiedDateTime"] = "0001-01-01T00:00:00Z",
    };

    private static bool Expand(HttpContext context)
    {
        var expand = context.Request.Query["$expand"].ToString();
        var parts = expand.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.FirstOrDefault(p => p != "assignments") is { } unsupported
            ? throw new InvalidRequestException($"$expand={unsupported} is not supported; supported: assignments.", "$expand")
            : parts.Length > 0;
    }
}
