namespace Intune.Grains.Rbac;

/// <summary>A tenant's custom Intune role: a named set of allowed resource operations.</summary>
[GenerateSerializer, Immutable, Alias("intune.RoleDefinition")]
public sealed record RoleDefinition(
    [property: Id(0)] string Id,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string? Description,
    [property: Id(3)] IReadOnlyList<string> AllowedResourceActions,
    [property: Id(4)] IReadOnlyList<string> NotAllowedResourceActions);

/// <summary>Grants a role (built-in or custom) to members: Entra user object ids or user principal names.</summary>
[GenerateSerializer, Immutable, Alias("intune.RoleAssignment")]
public sealed record RoleAssignment(
    [property: Id(0)] string Id,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string? Description,
    [property: Id(3)] string RoleDefinitionId,
    [property: Id(4)] IReadOnlyList<string> Members,
    [property: Id(5)] IReadOnlyList<string> ResourceScopes);

[GenerateSerializer, Immutable, Alias("intune.RbacSnapshot")]
public sealed record RbacSnapshot(
    [property: Id(0)] IReadOnlyList<RoleDefinition> RoleDefinitions,
    [property: Id(1)] IReadOnlyList<RoleAssignment> RoleAssignments);

/// <summary>
/// A tenant's custom role definitions and role assignments, keyed by tenant id. Built-in roles
/// are code, not state: assignments may point at them by their fixed ids.
/// </summary>
[Alias("intune.ITenantRbacGrain")]
public interface ITenantRbacGrain : IGrainWithStringKey
{
    [Alias("GetAsync")]
    Task<RbacSnapshot> GetAsync();

    /// <summary>Creates or replaces a custom role definition.</summary>
    [Alias("PutRoleDefinitionAsync")]
    Task PutRoleDefinitionAsync(RoleDefinition definition);

    /// <summary>Removes a custom role definition; false when it does not exist. Refused while assignments use it.</summary>
    [Alias("DeleteRoleDefinitionAsync")]
    Task<bool> DeleteRoleDefinitionAsync(string id);

    [Alias("PutRoleAssignmentAsync")]
    Task PutRoleAssignmentAsync(RoleAssignment assignment);

    [Alias("DeleteRoleAssignmentAsync")]
    Task<bool> DeleteRoleAssignmentAsync(string id);
}
