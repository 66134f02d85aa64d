using Intune.Grains.Durability;
using Intune.Grains.Errors;
using Intune.Grains.Groups;
using Intune.Grains.Policies;

namespace Intune.Grains.Apps;

/// <summary>
/// Assignments with intents. Assigning costs the app's write, one tenant write (the new assignment
/// version) and one write per group that starts or stops being targeted, whatever the groups'
/// sizes; devices work out their intent at check-in (<see cref="AppIntentResolver"/>).
/// </summary>
internal sealed partial class MobileAppGrain
{
    public async Task<IReadOnlyList<MobileAppAssignment>> AssignAsync(IReadOnlyList<MobileAppAssignment> assignments)
    {
        var current = Current;
        AppIntentResolver.CheckAssignments(Type, assignments);
        foreach (var groupId in GroupIds(assignments))
        {
            if (await GrainFactory.GetGrain<IGroupGrain>(GrainKeys.Scoped(TenantId, groupId)).GetAsync() is null)
            {
                throw new NotFoundException($"No group with id '{groupId}' exists in this tenant.");
            }
        }

        await Tenant.EnsureCatalogHasRoomAsync(AppId, assignments.Select(a => a.Target).Distinct().Count());
        var previousGroups = GroupIds(app.State.Assignments);
        var previous = (app.State.Assignments, app.State.App);
        app.State.Assignments = assignments
            .DistinctBy(a => (a.Intent, a.Target))
            .Select(a => a with { Id = $"{AppId}_{(int)a.Intent}_{a.Target.Kind}_{a.Target.GroupId ?? "all"}" })
            .ToList();
        // Intents live in the delivery body: a new version so silo caches take the new one.
        app.State.App = current with { Version = current.Version + 1, LastModifiedDateTime = time.GetUtcNow() };
        var groups = GroupIds(app.State.Assignments);
        await app.WriteOrRollBackAsync(GrainContext, () => (app.State.Assignments, app.State.App) = previous);
        // Marks first: a group that targets a deliverable announces its member changes.
        await SetGroupTargetingAsync(groups.Except(previousGroups), targets: true);
        await Tenant.UpsertPolicyAsync(CatalogEntry());
        await SetGroupTargetingAsync(previousGroups.Except(groups), targets: false);
        return app.State.Assignments;
    }

    public Task<IReadOnlyList<MobileAppAssignment>> GetAssignmentsAsync()
    {
        _ = Current;
        return Task.FromResult<IReadOnlyList<MobileAppAssignment>>(app.State.Assignments);
    }

    public Task<MobileAppDelivery?> GetDeliveryAsync()
    {
        if (app.State.App is not { } definition)
        {
            return Task.FromResult<MobileAppDelivery?>(null);
        }

        AppPackage? package = null;
        if (definition.CommittedContentVersion is { } versionId
            && app.State.ContentVersions.FirstOrDefault(v => v.Id == versionId)?.Files.FirstOrDefault(f => f.IsCommitted && !f.IsDependency) is { EncryptionInfo: { } info } file)
        {
            package = new AppPackage(versionId, file.Id, file.BlobName, file.Size, file.SizeEncrypted, info);
        }

        return Task.FromResult<MobileAppDelivery?>(new MobileAppDelivery(
            AppId,
            definition.Version,
            definition.ODataType,
            definition.DisplayName,
            app.State.Assignments,
            MobileAppTypes.StoreIdentifier(definition),
            package,
            definition.Properties.GetValueOrDefault("rules")));
    }

    private Task SetGroupTargetingAsync(IEnumerable<string> groupIds, bool targets) =>
        Task.WhenAll(groupIds.Select(g => GrainFactory.GetGrain<IGroupGrain>(GrainKeys.Scoped(TenantId, g)).SetPolicyTargetingAsync(AppId, targets)));

    private static HashSet<string> GroupIds(IEnumerable<MobileAppAssignment> assignments) =>
        assignments.Where(a => a.Target.GroupId is not null).Select(a => a.Target.GroupId!).ToHashSet(StringComparer.Ordinal);
}
