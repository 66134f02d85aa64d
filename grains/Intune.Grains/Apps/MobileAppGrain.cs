using Intune.Grains.Durability;
using Intune.Grains.Errors;
using Intune.Grains.Policies;
using Intune.Grains.Tenants;
using Microsoft.Extensions.Logging;

namespace Intune.Grains.Apps;

/// <summary>
/// One app of a tenant (a deliverable of kind <see cref="PolicyKind.MobileApp"/>; docs/apps.md).
/// This part is the catalog API: the definition and its validation per type. Package upload is in
/// MobileAppGrain.Content.cs, assignments in MobileAppGrain.Targeting.cs. Every change a device
/// could see moves <see cref="MobileAppDefinition.Version"/> and is one new fact in the tenant's
/// assignment record; no device is written or called.
/// </summary>
internal sealed partial class MobileAppGrain(
    [PersistentState("mobileapp", StorageNames.Grains)] IPersistentState<MobileAppState> app,
    IAppContentStore content,
    IAppStatusStore statusStore,
    TimeProvider time,
    ILogger<MobileAppGrain> logger) : Grain, IMobileAppGrain
{
    private string TenantId => GrainKeys.Split(this.GetPrimaryKeyString()).TenantId;

    private string AppId => GrainKeys.Split(this.GetPrimaryKeyString()).Id;

    private MobileAppDefinition Current => app.State.App ?? throw new NotFoundException($"No mobileApp with id '{AppId}' exists in this tenant.");

    private MobileAppType Type => MobileAppTypes.Find(Current.ODataType)!;

    private ITenantComplianceGrain Tenant => GrainFactory.GetGrain<ITenantComplianceGrain>(TenantId);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ArmSweep();
        return Task.CompletedTask;
    }

    public async Task<MobileAppDefinition> CreateAsync(MobileAppDefinition draft)
    {
        if (app.State.App is not null)
        {
            throw new ConflictException($"A mobileApp with id '{AppId}' already exists.");
        }

        var type = Validate(draft, creating: true);
        if (draft.CommittedContentVersion is not null)
        {
            throw new InvalidRequestException("committedContentVersion can be set only once a content version's files are committed.", "committedContentVersion");
        }

        await Tenant.EnsureCatalogHasRoomAsync(AppId, 0);
        var now = time.GetUtcNow();
        var created = draft with { Id = AppId, ODataType = type.ODataType, Version = 1, CreatedDateTime = now, LastModifiedDateTime = now };
        app.State.App = created;
        await app.WriteOrRollBackAsync(GrainContext, () => app.State.App = null);
        await Tenant.UpsertPolicyAsync(CatalogEntry());
        return created;
    }

    public async Task<MobileAppDefinition> UpdateAsync(MobileAppUpdate update)
    {
        var current = Current;
        var properties = current.Properties.ToDictionary(StringComparer.Ordinal);
        foreach (var (name, value) in update.Properties)
        {
            if (value is null)
            {
                properties.Remove(name);
            }
            else
            {
                properties[name] = value;
            }
        }

        if (update.CommittedContentVersion is { } committed)
        {
            var version = app.State.ContentVersions.FirstOrDefault(v => v.Id == committed)
                ?? throw new InvalidRequestException($"committedContentVersion '{committed}' is not a content version of this app.", "committedContentVersion");
            if (version.Files.Count == 0 || version.Files.Any(f => !f.IsCommitted))
            {
                throw new InvalidRequestException($"Content version '{committed}' has files not committed; commit every file (commitFileSuccess) first.", "committedContentVersion");
            }
        }

        var next = current with
        {
            DisplayName = update.DisplayName ?? current.DisplayName,
            Publisher = update.Publisher ?? current.Publisher,
            Properties = properties,
            CommittedContentVersion = update.CommittedContentVersion ?? current.CommittedContentVersion,
            Version = current.Version + 1,
            LastModifiedDateTime = time.GetUtcNow(),
        };
        Validate(next, creating: false);
        await SaveAsync(next);
        return next;
    }

    public Task<MobileAppDefinition?> GetAsync() => Task.FromResult(app.State.App);

    public async Task<MobileAppDefinition> SetCategoriesAsync(IReadOnlyList<string> categoryIds)
    {
        var next = Current with { CategoryIds = categoryIds.Distinct(StringComparer.Ordinal).ToList(), LastModifiedDateTime = time.GetUtcNow() };
        var previous = app.State.App;
        app.State.App = next;
        await app.WriteOrRollBackAsync(GrainContext, () => app.State.App = previous);
        return next;
    }

    /// <summary>Out of the tenant's facts first (devices drop it), then the blobs, then the state: a failure part-way leaves a retryable delete, never a listed app without its package.</summary>
    public async Task DeleteAsync()
    {
        _ = Current;
        await Tenant.RemovePolicyAsync(AppId);
        await SetGroupTargetingAsync(GroupIds(app.State.Assignments), targets: false);
        foreach (var file in app.State.ContentVersions.SelectMany(v => v.Files))
        {
            await content.DeleteAsync(file.BlobName);
        }

        await LoadStatusesAsync();
        _dirtyStatuses.Clear();
        await statusStore.SaveAsync(TenantId, AppId, [], _statuses.Keys.ToList());
        await app.ClearOrRollBackAsync(GrainContext);
        DeactivateOnIdle();
    }

    /// <summary>Stores a new definition version and announces it to the tenant's assignment record.</summary>
    private async Task SaveAsync(MobileAppDefinition next)
    {
        var previous = app.State.App;
        app.State.App = next;
        await app.WriteOrRollBackAsync(GrainContext, () => app.State.App = previous);
        await Tenant.UpsertPolicyAsync(CatalogEntry());
    }

    private PolicyCatalogEntry CatalogEntry() =>
        new(AppId, PolicyKind.MobileApp, Current.ODataType, Current.Version, app.State.Assignments.Count > 0, app.State.Assignments.Select(a => a.Target).Distinct().ToList());

    /// <summary>The rules of the app's type: known properties only, required ones present, the type unchanged.</summary>
    internal static MobileAppType Validate(MobileAppDefinition definition, bool creating)
    {
        var type = MobileAppTypes.Find(definition.ODataType)
            ?? throw new InvalidRequestException($"'{definition.ODataType}' is not a supported mobileApp type; supported: {string.Join(", ", MobileAppTypes.All.Select(t => MobileAppTypes.ODataNamespace + t.ODataType))}.", "@odata.type");
        if (string.IsNullOrWhiteSpace(definition.DisplayName))
        {
            throw new InvalidRequestException("displayName is required.", "displayName");
        }

        if (string.IsNullOrWhiteSpace(definition.Publisher))
        {
            throw new InvalidRequestException("publisher is required.", "publisher");
        }

        if (definition.Properties.Keys.FirstOrDefault(k => type.Find(k) is null) is { } unknown)
        {
            throw new InvalidRequestException($"'{unknown}' is not a property of {type.ODataType}.", unknown);
        }

        if (type.Properties.FirstOrDefault(p => p.Required && (!definition.Properties.TryGetValue(p.Name, out var v) || v is "null" or "\"\"" or "[]")) is { } missing)
        {
            throw new InvalidRequestException($"{type.ODataType} requires '{missing.Name}'.", missing.Name);
        }

        if (creating && type.IsLineOfBusiness && MobileAppTypes.Text(definition, "fileName") is { } fileName
            && !fileName.EndsWith(type.PackageExtension!, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidRequestException($"A {type.ODataType} package must be a {type.PackageExtension} file; got '{fileName}'.", "fileName");
        }

        return type;
    }
}
