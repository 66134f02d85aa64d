using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Operations;

namespace Intune.AdminGateway.Resources.Users;

/// <summary>The directory-user operations compliance follows: their permissions and audit activities.</summary>
public static class UserOperations
{
    public static readonly AdminOperation Delete = AdminOperation.Change("users.delete", AdminPermissions.GroupsWrite, "User", "Delete", AuditCategories.Other);
    public static readonly AdminOperation Restore = AdminOperation.Change("users.restore", AdminPermissions.GroupsWrite, "User", "Action", AuditCategories.Other, "restore");
}
