using Intune.Grains.Durability;
using Intune.Grains.Errors;

namespace Intune.Grains.Rbac;

/// <summary>
/// A tenant's custom roles and role assignments; read on every admin call's permission check.
/// Each change is written before it is kept: a revoked assignment that could not be saved is
/// still in force (and the caller told to retry), never revoked until the next restart.
/// </summary>
internal sealed class TenantRbacGrain(
    [PersistentState("rbac", StorageNames.Grains)] IPersistentState<TenantRbacState> rbac) : Grain, ITenantRbacGrain
{
    public Task<RbacSnapshot> GetAsync() =>
        Task.FromResult(new RbacSnapshot(rbac.State.RoleDefinitions.ToList(), rbac.State.RoleAssignments.ToList(), rbac.State.ScopeTags.ToList()));

    public Task PutRoleDefinitionAsync(RoleDefinition definition) =>
        SaveAsync(rbac.State.RoleDefinitions.Where(d => d.Id != definition.Id).Append(definition).ToList(), rbac.State.RoleAssignments);

    public async Task<bool> DeleteRoleDefinitionAsync(string id)
    {
        if (rbac.State.RoleAssignments.FirstOrDefault(a => a.RoleDefinitionId == id) is { } used)
        {
            throw new ConflictException($"The role definition is used by role assignment '{used.DisplayName}' ({used.Id}); delete the assignment first.");
        }

        if (!rbac.State.RoleDefinitions.Any(d => d.Id == id))
        {
            return false;
        }

        await SaveAsync(rbac.State.RoleDefinitions.Where(d => d.Id != id).ToList(), rbac.State.RoleAssignments);
        return true;
    }

    public Task PutRoleAssignmentAsync(RoleAssignment assignment) =>
        SaveAsync(rbac.State.RoleDefinitions, rbac.State.RoleAssignments.Where(a => a.Id != assignment.Id).Append(assignment).ToList());

    public async Task<bool> DeleteRoleAssignmentAsync(string id)
    {
        if (!rbac.State.RoleAssignments.Any(a => a.Id == id))
        {
            return false;
        }

        await SaveAsync(rbac.State.RoleDefinitions, rbac.State.RoleAssignments.Where(a => a.Id != id).ToList());
        return true;
    }

    public async Task<RoleScopeTag> CreateRoleScopeTagAsync(string displayName, string? description)
    {
        // Never reused: an id an object still carries after its tag was deleted must not name a new tag.
        var id = (rbac.State.LastScopeTagId + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var tag = new RoleScopeTag(id, displayName, description);
        await SaveAsync(rbac.State.RoleDefinitions, rbac.State.RoleAssignments, [.. rbac.State.ScopeTags, tag], rbac.State.LastScopeTagId + 1);
        return tag;
    }

    public async Task<bool> UpdateRoleScopeTagAsync(RoleScopeTag tag)
    {
        if (!rbac.State.ScopeTags.Any(t => t.Id == tag.Id))
        {
            return false;
        }

        await SaveAsync(rbac.State.RoleDefinitions, rbac.State.RoleAssignments, rbac.State.ScopeTags.Select(t => t.Id == tag.Id ? tag : t).ToList());
        return true;
    }

    public async Task<bool> DeleteRoleScopeTagAsync(string id)
    {
        if (rbac.State.RoleAssignments.FirstOrDefault(a => a.RoleScopeTagIds?.Contains(id) == true) is { } used)
        {
            throw new ConflictException($"The scope tag is used by role assignment '{used.DisplayName}' ({used.Id}); remove it there first.");
        }

        if (!rbac.State.ScopeTags.Any(t => t.Id == id))
        {
            return false;
        }

        await SaveAsync(rbac.State.RoleDefinitions, rbac.State.RoleAssignments, rbac.State.ScopeTags.Where(t => t.Id != id).ToList());
        return true;
    }

    /// <summary>Writes the new lists; memory keeps them only once storage does.</summary>
    private Task SaveAsync(List<RoleDefinition> definitions, List<RoleAssignment> assignments, List<RoleScopeTag>? scopeTags = null, int? lastScopeTagId = null)
    {
        var before = rbac.State;
        rbac.State = new TenantRbacState
        {
            RoleDefinitions = definitions,
            RoleAssignments = assignments,
            ScopeTags = scopeTags ?? before.ScopeTags,
            LastScopeTagId = lastScopeTagId ?? before.LastScopeTagId,
        };
        return rbac.WriteOrRollBackAsync(GrainContext, () => rbac.State = before);
    }
}

/// <summary>Stored format: add members with new ids only.</summary>
[GenerateSerializer, Alias("intune.TenantRbacState")]
public sealed class TenantRbacState
{
    [Id(0)] public List<RoleDefinition> RoleDefinitions { get; set; } = [];
    [Id(1)] public List<RoleAssignment> RoleAssignments { get; set; } = [];
    [Id(2)] public List<RoleScopeTag> ScopeTags { get; set; } = [];

    /// <summary>The highest scope tag id issued (0 is the built-in Default).</summary>
    [Id(3)] public int LastScopeTagId { get; set; }
}
