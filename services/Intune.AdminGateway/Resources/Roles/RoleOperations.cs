using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Operations;

namespace Intune.AdminGateway.Resources.Roles;

/// <summary>The RBAC operations: their permissions and audit activities, for REST and gRPC.</summary>
public static class RoleOperations
{
    public static readonly AdminOperation ListDefinitions = AdminOperation.Read("roleDefinitions.list", AdminPermissions.RolesRead);
    public static readonly AdminOperation GetDefinition = AdminOperation.Read("roleDefinitions.get", AdminPermissions.RolesRead);
    public static readonly AdminOperation CreateDefinition = AdminOperation.Change("roleDefinitions.create", AdminPermissions.RolesWrite, "RoleDefinition", "Create", AuditCategories.Role);
    public static readonly AdminOperation UpdateDefinition = AdminOperation.Change("roleDefinitions.update", AdminPermissions.RolesWrite, "RoleDefinition", "Patch", AuditCategories.Role);
    public static readonly AdminOperation DeleteDefinition = AdminOperation.Change("roleDefinitions.delete", AdminPermissions.RolesWrite, "RoleDefinition", "Delete", AuditCategories.Role);
    public static readonly AdminOperation ListAssignments = AdminOperation.Read("roleAssignments.list", AdminPermissions.RolesRead);
    public static readonly AdminOperation GetAssignment = AdminOperation.Read("roleAssignments.get", AdminPermissions.RolesRead);
    public static readonly AdminOperation CreateAssignment = AdminOperation.Change("roleAssignments.create", AdminPermissions.RolesWrite, "RoleAssignment", "Create", AuditCategories.Role);
    public static readonly AdminOperation UpdateAssignment = AdminOperation.Change("roleAssignments.update", AdminPermissions.RolesWrite, "RoleAssignment", "Patch", AuditCategories.Role);
    public static readonly AdminOperation DeleteAssignment = AdminOperation.Change("roleAssignments.delete", AdminPermissions.RolesWrite, "RoleAssignment", "Delete", AuditCategories.Role);
    public static readonly AdminOperation ListResourceOperations = AdminOperation.Read("resourceOperations.list", AdminPermissions.RolesRead);
}
