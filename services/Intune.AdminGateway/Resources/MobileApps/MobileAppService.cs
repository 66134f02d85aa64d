using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Limits;
using Intune.Grains;
using Intune.Grains.Apps;
using Intune.Grains.Errors;
using Intune.Grains.Policies;
using Intune.Grains.Tenants;
using Intune.Routing;

namespace Intune.AdminGateway.Resources.MobileApps;

/// <summary>An app category (Graph <c>mobileAppCategory</c>).</summary>
public sealed record MobileAppCategory(string Id, string DisplayName);

/// <summary>
/// The tenant's app catalog for admins, with package upload and assignments: the one place the REST
/// and gRPC fronts call. App bodies are Graph JSON on both fronts, so one mapping
/// (<see cref="MobileAppGraphMapping"/>) validates every property. An app of another tenant is not found.
/// </summary>
public sealed class MobileAppService(IScaleUnitRouter router)
{
    private const string ResourceType = "MobileApp";

    /// <summary>Intune's built-in categories; ids are derived from the names so every unit agrees on them.</summary>
    public static readonly IReadOnlyList<MobileAppCategory> Categories =
        new[] { "Books & Reference", "Business", "Collaboration & Social", "Computer management", "Data management", "Development & Design", "Education", "Entertainment", "Photos & Media", "Productivity", "Other apps" }
            .Select(name => new MobileAppCategory(new Guid(MD5.HashData(Encoding.UTF8.GetBytes("mobileAppCategory:" + name))).ToString(), name))
            .ToList();

    public async Task<MobileAppDefinition> GetAsync(string tenantId, string appId)
    {
        var app = Guid.TryParse(appId, out _) ? await (await GrainAsync(tenantId, appId)).GetAsync() : null;
        return app ?? throw new NotFoundException($"No mobileApp with id '{appId}' exists in this tenant.");
    }

    /// <summary>The grain of an app that exists in this tenant.</summary>
    public async Task<IMobileAppGrain> ExistingAsync(string tenantId, string appId)
    {
        await GetAsync(tenantId, appId);
        return await GrainAsync(tenantId, appId);
    }

    public async Task<IReadOnlyList<MobileAppDefinition>> ListAsync(string tenantId)
    {
        var grains = await router.ForTenantAsync(tenantId);
        var entries = await grains.GetGrain<ITenantComplianceGrain>(tenantId).ListPoliciesAsync(PolicyKind.MobileApp);
        var apps = await Task.WhenAll(entries.Select(e => grains.GetGrain<IMobileAppGrain>(GrainKeys.Scoped(tenantId, e.PolicyId)).GetAsync()));
        return apps.OfType<MobileAppDefinition>().OrderBy(a => a.DisplayName, StringComparer.OrdinalIgnoreCase).ThenBy(a => a.Id, StringComparer.Ordinal).ToList();
    }

    public async Task<MobileAppDefinition> CreateAsync(string tenantId, JsonObject graphBody, AuditRecorder audit)
    {
        var (type, update) = MobileAppGraphMapping.Read(graphBody, existing: null);
        CheckTexts(update);
        if (update.CommittedContentVersion is not null)
        {
            throw new InvalidRequestException("committedContentVersion can be set only once a content version's files are committed.", "committedContentVersion");
        }

        var id = Guid.NewGuid().ToString();
        var created = await (await GrainAsync(tenantId, id)).CreateAsync(new MobileAppDefinition
        {
            Id = id,
            ODataType = type.ODataType,
            DisplayName = update.DisplayName ?? string.Empty,
            Publisher = update.Publisher,
            Properties = update.Properties.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!, StringComparer.Ordinal),
        });
        audit.AddResource(ResourceType, created.Id, created.DisplayName);
        return created;
    }

    public async Task<MobileAppDefinition> UpdateAsync(string tenantId, string appId, JsonObject graphBody, AuditRecorder audit)
    {
        var existing = await GetAsync(tenantId, appId);
        var (_, update) = MobileAppGraphMapping.Read(graphBody, MobileAppTypes.Find(existing.ODataType));
        CheckTexts(update);
        var updated = await (await GrainAsync(tenantId, appId)).UpdateAsync(update);
        audit.AddResource(ResourceType, appId, updated.DisplayName);
        return updated;
    }

    public async Task DeleteAsync(string tenantId, string appId, AuditRecorder audit)
    {
        var existing = await GetAsync(tenantId, appId);
        await (await GrainAsync(tenantId, appId)).DeleteAsync();
        audit.AddResource(ResourceType, appId, existing.DisplayName);
    }

    /// <summary>Replaces the app's assignments (Graph <c>assign</c>).</summary>
    public async Task<IReadOnlyList<MobileAppAssignment>> AssignAsync(string tenantId, string appId, JsonObject graphBody, AuditRecorder audit)
    {
        var existing = await GetAsync(tenantId, appId);
        var assignments = MobileAppGraphMapping.ReadAssignments(graphBody, MobileAppTypes.Find(existing.ODataType)!);
        var stored = await (await GrainAsync(tenantId, appId)).AssignAsync(assignments);
        audit.AddResource(ResourceType, appId, existing.DisplayName);
        return stored;
    }

    /// <summary>Adds a category by its <c>@odata.id</c> reference (Graph <c>categories/$ref</c>).</summary>
    public async Task AddCategoryAsync(string tenantId, string appId, string categoryReference, AuditRecorder audit)
    {
        var existing = await GetAsync(tenantId, appId);
        var categoryId = categoryReference.TrimEnd('/').Split('/')[^1].Trim('\'', '(', ')');
        if (Categories.All(c => c.Id != categoryId))
        {
            throw new InvalidRequestException($"'{categoryReference}' names no mobileAppCategory; see /deviceAppManagement/mobileAppCategories.", "@odata.id");
        }

        await (await GrainAsync(tenantId, appId)).SetCategoriesAsync([.. existing.CategoryIds, categoryId]);
        audit.AddResource(ResourceType, appId, existing.DisplayName);
    }

    public async Task<AppContentVersion> CreateContentVersionAsync(string tenantId, string appId, AuditRecorder audit)
    {
        var version = await (await ExistingAsync(tenantId, appId)).CreateContentVersionAsync();
        audit.AddResource(ResourceType, appId, $"contentVersion {version.Id}");
        return version;
    }

    public async Task<IReadOnlyList<AppContentVersion>> ContentVersionsAsync(string tenantId, string appId) =>
        await (await ExistingAsync(tenantId, appId)).GetContentVersionsAsync();

    public async Task<AppContentFile> CreateContentFileAsync(string tenantId, string appId, string contentVersionId, JsonObject graphBody, AuditRecorder audit)
    {
        var grain = await ExistingAsync(tenantId, appId);
        var file = await grain.CreateContentFileAsync(contentVersionId, MobileAppGraphMapping.ReadFile(graphBody));
        audit.AddResource(ResourceType, appId, $"file {file.Id} ({file.Name})");
        return file;
    }

    public async Task<AppContentFile> ContentFileAsync(string tenantId, string appId, string contentVersionId, string fileId) =>
        await (await ExistingAsync(tenantId, appId)).GetContentFileAsync(contentVersionId, fileId);

    public async Task<AppContentFile> RenewUploadAsync(string tenantId, string appId, string contentVersionId, string fileId, AuditRecorder audit)
    {
        var file = await (await ExistingAsync(tenantId, appId)).RenewUploadAsync(contentVersionId, fileId);
        audit.AddResource(ResourceType, appId, $"file {file.Id}");
        return file;
    }

    public async Task<AppContentFile> CommitAsync(string tenantId, string appId, string contentVersionId, string fileId, JsonObject graphBody, AuditRecorder audit)
    {
        var grain = await ExistingAsync(tenantId, appId);
        var info = MobileAppGraphMapping.ReadCommit(graphBody);
        var file = await grain.CommitFileAsync(contentVersionId, fileId, info);
        audit.AddResource(ResourceType, appId, $"file {file.Id}");
        return file;
    }

    /// <summary>What a device's inventory last reported (managedDevice <c>detectedApps</c>).</summary>
    public async Task<IReadOnlyList<DetectedApp>> DetectedAppsAsync(string tenantId, string deviceId)
    {
        var apps = Guid.TryParse(deviceId, out _)
            ? await (await router.ForTenantAsync(tenantId)).GetGrain<IDeviceAppsGrain>(GrainKeys.Scoped(tenantId, deviceId)).GetDetectedAppsAsync()
            : null;
        return apps ?? throw new NotFoundException($"No managedDevice with id '{deviceId}' exists in this tenant.");
    }

    private async Task<IMobileAppGrain> GrainAsync(string tenantId, string appId) =>
        (await router.ForTenantAsync(tenantId)).GetGrain<IMobileAppGrain>(GrainKeys.Scoped(tenantId, appId));

    private static void CheckTexts(MobileAppUpdate update)
    {
        InputLimits.Text(update.DisplayName, "displayName", InputLimits.MaxDisplayName);
        InputLimits.Text(update.Publisher, "publisher", InputLimits.MaxDisplayName);
        if (update.Properties.GetValueOrDefault("description") is { } description)
        {
            InputLimits.Text(System.Text.Json.JsonSerializer.Deserialize<string>(description), "description", InputLimits.MaxDescription);
        }
    }
}
