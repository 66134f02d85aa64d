using Intune.Grains.Errors;

namespace Intune.Grains.Rbac;

/// <summary>A tenant's custom roles and role assignments; read on every admin call's permission check.</summary>
internal sealed class TenantRbacGrain(
    [PersistentState("rbac", StorageNames.Grains)] IPersistentState<TenantRbacState> rbac) : Grain, ITenantRbacGrain
{
    public Task<RbacSnapshot> GetAsync() =>
        Task.FromResult(new RbacSnapshot(rbac.State.RoleDefinitions.ToList(), rbac.State.RoleAssignments.ToList()));

    public async Task PutRoleDefinitionAsync(RoleDefinition definition)
    {
        rbac.State.RoleDefinitions.RemoveAll(d => d.Id == definition.Id);
        rbac.State.RoleDefinitions.Add(definition);
        await rbac.WriteStateAsync();
    }

    public async Task<bool> DeleteRoleDefinitionAsync(string id)
    {
        if (rbac.State.RoleAssignments.FirstOrDefault(a => a.RoleDefinitionId == id) is { } used)
        {
            throw new ConflictException($"The role definition is used by role assignment '{used.DisplayName}' ({used.Id}); delete the assignment first.");
        }

        if (rbac.State.RoleDefinitions.RemoveAll(d => d.Id == id) == 0)
        {
            return false;
        }

        await rbac.WriteStateAsync();
        return true;
    }

    public async Task PutRoleAssignmentAsync(RoleAssignment assignment)
    {
        rbac.State.RoleAssignments.RemoveAll(a => a.Id == assignment.Id);
        rbac.State.RoleAssignments.Add(assignment);
        await rbac.WriteStateAsync();
    }

    public async Task<bool> DeleteRoleAssignmentAsync(string id)
    {
        if (rbac.State.RoleAssignments.RemoveAll(a => a.Id == id) == 0)
        {
            return false;
        }

        await rbac.WriteStateAsync();
        return true;
    }
}

/// <summary>Stored format: add members with new ids only.</summary>
[GenerateSerializer, Alias("intune.TenantRbacState")]
public sealed class TenantRbacState
{
    [Id(0)] public List<RoleDefinition> RoleDefinitions { get; set; } = [];
    [Id(1)] public List<RoleAssignment> RoleAssignments { get; set; } = [];
}
