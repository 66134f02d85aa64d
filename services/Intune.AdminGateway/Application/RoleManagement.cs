using System.Security.Cryptography;
using System.Text;
using Intune.AdminGateway.Auth;
using Intune.Grains.Rbac;
using Intune.Routing;

namespace Intune.AdminGateway.Application;

/// <summary>A role definition as admins see it: built-in (code) or custom (tenant state).</summary>
public sealed record RoleDefinitionView(RoleDefinition Definition, bool IsBuiltIn);

/// <summary>
/// Role definitions and assignments of a tenant. Built-in roles (GRAPH.md §4) are listed with
/// stable ids derived from their names; custom ones live in the tenant's RBAC grain.
/// </summary>
public sealed class RoleManagement(IScaleUnitRouter router)
{
    public static readonly IReadOnlyList<RoleDefinition> BuiltIn = BuiltInRoles.Permissions
        .Select(r => new RoleDefinition(BuiltInId(r.Key), r.Key, $"Intune built-in role '{r.Key}'.", r.Value.Order(StringComparer.Ordinal).ToList(), []))
        .OrderBy(r => r.DisplayName, StringComparer.Ordinal)
        .ToList();

    public async Task<RbacSnapshot> SnapshotAsync(string tenantId) => await (await GrainAsync(tenantId)).GetAsync();

    public async Task<IReadOnlyList<RoleDefinitionView>> ListDefinitionsAsync(string tenantId)
    {
        var snapshot = await SnapshotAsync(tenantId);
        return BuiltIn.Select(d => new RoleDefinitionView(d, true))
            .Concat(snapshot.RoleDefinitions.OrderBy(d => d.DisplayName, StringComparer.Ordinal).Select(d => new RoleDefinitionView(d, false)))
            .ToList();
    }

    public async Task<RoleDefinitionView?> GetDefinitionAsync(string tenantId, string id) =>
        (await ListDefinitionsAsync(tenantId)).FirstOrDefault(d => d.Definition.Id == id);

    public async Task PutDefinitionAsync(string tenantId, RoleDefinition definition) =>
        await (await GrainAsync(tenantId)).PutRoleDefinitionAsync(definition);

    public async Task<bool> DeleteDefinitionAsync(string tenantId, string id) =>
        await (await GrainAsync(tenantId)).DeleteRoleDefinitionAsync(id);

    public async Task PutAssignmentAsync(string tenantId, RoleAssignment assignment) =>
        await (await GrainAsync(tenantId)).PutRoleAssignmentAsync(assignment);

    public async Task<bool> DeleteAssignmentAsync(string tenantId, string id) =>
        await (await GrainAsync(tenantId)).DeleteRoleAssignmentAsync(id);

    /// <summary>
    /// The permissions a caller holds in a tenant: its token's built-in roles, plus every role
    /// assigned to it (by object id or UPN) in the tenant, minus each role's not-allowed actions.
    /// </summary>
    public async Task<IReadOnlySet<string>> ResolveAsync(string tenantId, IEnumerable<string> tokenRoles, string? objectId, string? userPrincipalName)
    {
        var granted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in tokenRoles)
        {
            if (BuiltInRoles.Permissions.TryGetValue(role, out var permissions))
            {
                granted.UnionWith(permissions);
            }
        }

        var snapshot = await SnapshotAsync(tenantId);
        foreach (var assignment in snapshot.RoleAssignments)
        {
            if (!assignment.Members.Any(m => string.Equals(m, objectId, StringComparison.OrdinalIgnoreCase) || string.Equals(m, userPrincipalName, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var definition = BuiltIn.Concat(snapshot.RoleDefinitions).FirstOrDefault(d => d.Id == assignment.RoleDefinitionId);
            if (definition is not null)
            {
                granted.UnionWith(definition.AllowedResourceActions.Except(definition.NotAllowedResourceActions));
            }
        }

        return granted;
    }

    private static string BuiltInId(string name) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"intune-builtin-role:{name}")).AsSpan(0, 16)).ToString();

    private async Task<ITenantRbacGrain> GrainAsync(string tenantId) =>
        (await router.ForTenantAsync(tenantId)).GetGrain<ITenantRbacGrain>(tenantId);
}
