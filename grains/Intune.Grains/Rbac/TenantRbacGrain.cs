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
        Task.FromResult(new RbacSnapshot(rbac.State.RoleDefinitions.ToList(), rbac.State.RoleAssignments.ToList()));

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

    /// <summary>Writes the new lists; memory keeps them only once storage does.</summary>
    private Task SaveAsync(List<RoleDefinition> definitions, List<RoleAssignment> assignments)
    {
        var before = rbac.State;
        rbac.State = new TenantRbacState { RoleDefinitions = definitions, RoleAssignments = assignments };
        return rbac.WriteOrRollBackAsync(GrainContext, () => rbac.State = before);
    }
}

/// <summary>Stored format: add members with new ids only.</summary>
[GenerateSerializer, Alias("intune.TenantRbacState")]
public sealed class TenantRbacState
{
    [Id(0)] public List<RoleDefinition> RoleDefinitions { get; set; } = [];
    [Id(1)] public List<RoleAssignment> RoleAssignments { get; set; } = [];
}
