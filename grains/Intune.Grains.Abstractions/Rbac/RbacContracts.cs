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
    [property: Id(5)] IReadOnlyList<string> ResourceScopes,
    [property: Id(6)] IReadOnlyList<string>? RoleScopeTagIds = null)
{
    /// <summary>
    /// The scope tags whose objects the assignment reaches; none named means the built-in Default
    /// (<c>0</c>), as Intune does. A method, not a property: grain state JSON stores every property.
    /// </summary>
    public IReadOnlyList<string> ReachedScopeTagIds() => RoleScopeTagIds is { Count: > 0 } tags ? tags : new List<string> { RoleScopeTag.DefaultId };
}

/// <summary>
/// A tenant's scope tag (Graph <c>roleScopeTag</c>): objects carry tag ids, and a role assignment
/// reaches only objects with one of its tags. The built-in Default tag (id <c>0</c>) is code, not state.
/// Ids are small integers as text, as Intune issues them.
/// </summary>
[GenerateSerializer, Immutable, Alias("intune.RoleScopeTag")]
public sealed record RoleScopeTag(
    [property: Id(0)] string Id,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string? Description)
{
    public const string DefaultId = "0";

    public static readonly RoleScopeTag Default = new(DefaultId, "Default", "Built-in scope tag: objects without another tag, and assignments that name none.");
}

[GenerateSerializer, Immutable, Alias("intune.RbacSnapshot")]
public sealed record RbacSnapshot(
    [property: Id(0)] IReadOnlyList<RoleDefinition> RoleDefinitions,
    [property: Id(1)] IReadOnlyList<RoleAssignment> RoleAssignments,
    [property: Id(2)] IReadOnlyList<RoleScopeTag>? ScopeTags = null);

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

    /// <summary>Creates a scope tag with the next free id (the Default tag is <c>0</c>); returns it.</summary>
    [Alias("CreateRoleScopeTagAsync")]
    Task<RoleScopeTag> CreateRoleScopeTagAsync(string displayName, string? description);

    /// <summary>Replaces a custom scope tag's name and description; false when it does not exist.</summary>
    [Alias("UpdateRoleScopeTagAsync")]
    Task<bool> UpdateRoleScopeTagAsync(RoleScopeTag tag);

    /// <summary>Removes a custom scope tag; false when it does not exist. Refused while a role assignment names it.</summary>
    [Alias("DeleteRoleScopeTagAsync")]
    Task<bool> DeleteRoleScopeTagAsync(string id);
}
