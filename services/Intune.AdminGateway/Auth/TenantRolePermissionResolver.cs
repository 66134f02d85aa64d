using System.Security.Claims;
using Intune.AdminGateway.Resources.Roles;

namespace Intune.AdminGateway.Auth;

/// <summary>
/// Built-in roles named in the token plus the tenant's role assignments (custom or built-in
/// roles assigned to the caller's object id or UPN). Resolved on each permission check (one grain call).
/// </summary>
public sealed class TenantRolePermissionResolver(RoleService roles) : IPermissionResolver
{
    public async ValueTask<IReadOnlySet<string>> ResolveAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (user.GetTenantId() is not { } tenantId)
        {
            return new HashSet<string>();
        }

        return await roles.ResolveAsync(
            tenantId,
            user.FindAll(AdminClaims.Roles).Select(r => r.Value),
            user.FindFirst(AdminClaims.ObjectId)?.Value,
            user.FindFirst(AdminClaims.UserPrincipalName)?.Value);
    }

    public async ValueTask<IReadOnlySet<string>?> ResolveScopeTagsAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (user.GetTenantId() is not { } tenantId)
        {
            return new HashSet<string>();
        }

        return await roles.ResolveScopeTagsAsync(
            tenantId,
            user.FindAll(AdminClaims.Roles).Select(r => r.Value),
            user.FindFirst(AdminClaims.ObjectId)?.Value,
            user.FindFirst(AdminClaims.UserPrincipalName)?.Value);
    }
}
