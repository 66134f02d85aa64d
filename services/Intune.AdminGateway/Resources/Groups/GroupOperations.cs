using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Operations;

namespace Intune.AdminGateway.Resources.Groups;

/// <summary>The group operations: their permissions and audit activities, for REST and gRPC.</summary>
public static class GroupOperations
{
    private const string Resource = "Group";

    public static readonly AdminOperation List = AdminOperation.Read("groups.list", AdminPermissions.GroupsRead);
    public static readonly AdminOperation Get = AdminOperation.Read("groups.get", AdminPermissions.GroupsRead);
    public static readonly AdminOperation ListMembers = AdminOperation.Read("groups.members", AdminPermissions.GroupsRead);
    public static readonly AdminOperation Create = AdminOperation.Change("groups.create", AdminPermissions.GroupsWrite, Resource, "Create", AuditCategories.Other);
    public static readonly AdminOperation Delete = AdminOperation.Change("groups.delete", AdminPermissions.GroupsWrite, Resource, "Delete", AuditCategories.Other);
    public static readonly AdminOperation AddMembers = AdminOperation.Change("groups.addMembers", AdminPermissions.GroupsWrite, Resource, "Action", AuditCategories.Other, "addMembers");
    public static readonly AdminOperation RemoveMember = AdminOperation.Change("groups.removeMember", AdminPermissions.GroupsWrite, Resource, "Action", AuditCategories.Other, "removeMember");
}
