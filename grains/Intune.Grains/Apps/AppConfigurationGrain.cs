using Intune.Grains.Durability;
using Intune.Grains.Errors;
using Intune.Grains.Groups;
using Intune.Grains.Policies;
using Intune.Grains.Tenants;

namespace Intune.Grains.Apps;

/// <summary>The durable record of one app configuration. Stored format: add members with new ids only.</summary>
[GenerateSerializer, Alias("intune.AppConfigurationState")]
public sealed class AppConfigurationState
{
    [Id(0)] public AppConfigurationDefinition? Definition { get; set; }
}

/// <summary>
/// One app configuration (docs/apps.md §7): its definition and assignments. Like an app it is a
/// deliverable: every change is one write here, one in the tenant's assignment record, and one per
/// group that starts or stops being targeted; devices pick it up with the apps it targets.
/// </summary>
internal sealed class AppConfigurationGrain(
    [PersistentState("appconfiguration", StorageNames.Grains)] IPersistentState<AppConfigurationState> configuration,
    TimeProvider time) : Grain, IAppConfigurationGrain
{
    private string TenantId => GrainKeys.Split(this.GetPrimaryKeyString()).TenantId;

    private string ConfigurationId => GrainKeys.Split(this.GetPrimaryKeyString()).Id;

    private AppConfigurationDefinition Current => configuration.State.Definition
        ?? throw new NotFoundException($"No managedDeviceMobileAppConfiguration with id '{ConfigurationId}' exists in this tenant.");

    public async Task<AppConfigurationDefinition> CreateAsync(AppConfigurationDefinition draft)
    {
        if (configuration.State.Definition is not null)
        {
            throw new ConflictException($"An app configuration with id '{ConfigurationId}' already exists.");
        }

        var now = time.GetUtcNow();
        await Tenant.EnsureCatalogHasRoomAsync(ConfigurationId, 0);
        await SaveAsync(draft with { Id = ConfigurationId, Version = 1, CreatedDateTime = now, LastModifiedDateTime = now, Assignments = [] });
        return Current;
    }

    public async Task<AppConfigurationDefinition> UpdateAsync(AppConfigurationDefinition next)
    {
        var current = Current;
        await SaveAsync(next with
        {
            Id = ConfigurationId,
            ODataType = current.ODataType,
            Version = current.Version + 1,
            CreatedDateTime = current.CreatedDateTime,
            LastModifiedDateTime = time.GetUtcNow(),
            Assignments = current.Assignments,
        });
        return Current;
    }

    public Task<AppConfigurationDefinition?> GetAsync() => Task.FromResult(configuration.State.Definition);

    public async Task DeleteAsync()
    {
        var current = Current;
        await Tenant.RemovePolicyAsync(ConfigurationId);
        await SetGroupTargetingAsync(GroupIds(current.Assignments), targets: false);
        await configuration.ClearOrRollBackAsync(GrainContext);
        DeactivateOnIdle();
    }

    public async Task<AppConfigurationDefinition> AssignAsync(IReadOnlyList<AssignmentTarget> targets)
    {
        var current = Current;
        foreach (var groupId in GroupIds(targets))
        {
            if (await GrainFactory.GetGrain<IGroupGrain>(GrainKeys.Scoped(TenantId, groupId)).GetAsync() is null)
            {
                throw new NotFoundException($"No group with id '{groupId}' exists in this tenant.");
            }
        }

        await Tenant.EnsureCatalogHasRoomAsync(ConfigurationId, targets.Distinct().Count());
        var previousGroups = GroupIds(current.Assignments);
        var next = current with { Assignments = targets.Distinct().ToList(), Version = current.Version + 1, LastModifiedDateTime = time.GetUtcNow() };
        var groups = GroupIds(next.Assignments);
        await WriteAsync(next);
        // Marks first: a group that targets a deliverable announces its member changes.
        await SetGroupTargetingAsync(groups.Except(previousGroups), targets: true);
        await Tenant.UpsertPolicyAsync(CatalogEntry(next));
        await SetGroupTargetingAsync(previousGroups.Except(groups), targets: false);
        return next;
    }

    private ITenantComplianceGrain Tenant => GrainFactory.GetGrain<ITenantComplianceGrain>(TenantId);

    private async Task SaveAsync(AppConfigurationDefinition next)
    {
        await WriteAsync(next);
        await Tenant.UpsertPolicyAsync(CatalogEntry(next));
    }

    private async Task WriteAsync(AppConfigurationDefinition next)
    {
        var previous = configuration.State.Definition;
        configuration.State.Definition = next;
        await configuration.WriteOrRollBackAsync(GrainContext, () => configuration.State.Definition = previous);
    }

    private PolicyCatalogEntry CatalogEntry(AppConfigurationDefinition definition) =>
        new(ConfigurationId, PolicyKind.AppConfiguration, definition.ODataType, definition.Version, definition.Assignments.Count > 0, definition.Assignments);

    private Task SetGroupTargetingAsync(IEnumerable<string> groupIds, bool targets) =>
        Task.WhenAll(groupIds.Select(g => GrainFactory.GetGrain<IGroupGrain>(GrainKeys.Scoped(TenantId, g)).SetPolicyTargetingAsync(ConfigurationId, targets)));

    private static HashSet<string> GroupIds(IEnumerable<AssignmentTarget> targets) =>
        targets.Where(t => t.GroupId is not null).Select(t => t.GroupId!).ToHashSet(StringComparer.Ordinal);
}
