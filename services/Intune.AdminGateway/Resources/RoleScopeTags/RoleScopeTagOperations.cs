using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Operations;

namespace Intune.AdminGateway.Resources.RoleScopeTags;

/// <summary>Scope tag operations: Intune files them under the Roles permissions.</summary>
public static class RoleScopeTagOperations
{
    public static readonly AdminOperation List = AdminOperation.Read("roleScopeTags.list", AdminPermissions.RolesRead);
    public static readonly AdminOperation Get = AdminOperation.Read("roleScopeTags.get", AdminPermissions.RolesRead);
    public static readonly AdminOperation Create = AdminOperation.Change("roleScopeTags.create", AdminPermissions.RolesWrite, "RoleScopeTag", "Create", AuditCategories.Role);
    public static readonly AdminOperation Update = AdminOperation.Change("roleScopeTags.update", AdminPermissions.RolesWrite, "RoleScopeTag", "Patch", AuditCategories.Role);
    public static readonly AdminOperation Delete = AdminOperation.Change("roleScopeTags.delete", AdminPermissions.RolesWrite, "RoleScopeTag", "Delete", AuditCategories.Role);
}
