using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Auth;
using Intune.Grains.Groups;
using Microsoft.AspNetCore.Authorization;
using V1 = Intune.Admin.V1;

namespace Intune.AdminGateway.Grpc;

/// <summary><c>intune.admin.v1.Groups</c>: static device and user groups, with REST's permissions and validation.</summary>
[Authorize(Policy = AdminGatewayExtensions.AdminPolicy)]
internal sealed class GroupsGrpcService(PolicyAdministration admin) : V1.Groups.GroupsBase
{
    private const string ResourceType = "Group";
    private const string Category = "Other";

    public override Task<V1.Group> CreateGroup(V1.CreateGroupRequest request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.GroupsWrite);
        var audit = context.Audit($"Create {ResourceType}", "Create", Category);
        var group = await admin.CreateGroupAsync(tenantId, request.DisplayName, string.IsNullOrEmpty(request.Description) ? null : request.Description);
        audit.AddResource(ResourceType, group.Id, group.DisplayName);
        return ToMessage(group);
    });

    public override Task<V1.Group> GetGroup(V1.GroupRef request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
        ToMessage(await admin.FindGroupAsync(await AdminCall.AuthorizeAsync(context, AdminPermissions.GroupsRead), request.Id)));

    public override Task<V1.ListGroupsResponse> ListGroups(V1.ListGroupsRequest request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.GroupsRead);
        var response = new V1.ListGroupsResponse();
        response.Groups.AddRange((await admin.ListGroupsAsync(tenantId)).Select(ToMessage));
        return response;
    });

    public override Task<Empty> DeleteGroup(V1.GroupRef request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.GroupsWrite);
        context.Audit($"Delete {ResourceType}", "Delete", Category).AddResource(ResourceType, request.Id);
        await admin.DeleteGroupAsync(tenantId, request.Id);
        return new Empty();
    });

    public override Task<Empty> AddGroupMembers(V1.AddGroupMembersRequest request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.GroupsWrite);
        context.Audit($"addMembers {ResourceType}", "Action", Category).AddResource(ResourceType, request.GroupId);
        if (request.Members.Count == 0)
        {
            throw AdminCall.InvalidArgument("members must name at least one device or user.");
        }

        var members = request.Members.Select((m, i) => PolicyAdministration.Member(
            m.Kind switch
            {
                V1.GroupMemberKind.Device => GroupMemberKind.Device,
                V1.GroupMemberKind.User => GroupMemberKind.User,
                _ => throw AdminCall.InvalidArgument($"members[{i}].kind must be GROUP_MEMBER_KIND_DEVICE or GROUP_MEMBER_KIND_USER."),
            },
            m.Id)).ToList();
        await admin.AddGroupMembersAsync(tenantId, request.GroupId, members);
        return new Empty();
    });

    public override Task<Empty> RemoveGroupMember(V1.RemoveGroupMemberRequest request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.GroupsWrite);
        context.Audit($"removeMember {ResourceType}", "Action", Category).AddResource(ResourceType, request.GroupId);
        await admin.RemoveGroupMemberAsync(tenantId, request.GroupId, request.MemberId);
        return new Empty();
    });

    public override Task<V1.ListGroupMembersResponse> ListGroupMembers(V1.GroupRef request, ServerCallContext context) => PolicyRpc.GuardAsync(async () =>
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.GroupsRead);
        var members = await admin.GroupMembersAsync(tenantId, request.Id);
        var response = new V1.ListGroupMembersResponse();
        response.Members.AddRange(members.Devices.Select(d => new V1.GroupMember { Kind = V1.GroupMemberKind.Device, Id = d }));
        response.Members.AddRange(members.Users.Select(u => new V1.GroupMember { Kind = V1.GroupMemberKind.User, Id = u }));
        return response;
    });

    private static V1.Group ToMessage(GroupInfo group) => new()
    {
        Id = group.Id,
        DisplayName = group.DisplayName,
        Description = group.Description ?? string.Empty,
        CreatedDateTime = PolicyRpc.Time(group.CreatedDateTime),
        DeviceMemberCount = group.DeviceMemberCount,
        UserMemberCount = group.UserMemberCount,
    };
}
