using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Grpc;
using Intune.AdminGateway.Operations;
using Intune.Grains.Errors;
using Intune.Grains.Groups;
using V1 = Intune.Admin.V1;

namespace Intune.AdminGateway.Resources.Groups;

/// <summary><c>intune.admin.v1.Groups</c>: static device and user groups, with REST's permissions and validation.</summary>
internal sealed class GroupsGrpcService(GroupService groups, AuditRecorder audit) : V1.Groups.GroupsBase, IAdminGrpcService
{
    public static IReadOnlyDictionary<string, GrpcOperation> Operations { get; } = new Dictionary<string, GrpcOperation>
    {
        [nameof(CreateGroup)] = GroupOperations.Create,
        [nameof(GetGroup)] = GroupOperations.Get,
        [nameof(ListGroups)] = GroupOperations.List,
        [nameof(DeleteGroup)] = GroupOperations.Delete,
        [nameof(AddGroupMembers)] = GroupOperations.AddMembers,
        [nameof(RemoveGroupMember)] = GroupOperations.RemoveMember,
        [nameof(ListGroupMembers)] = GroupOperations.ListMembers,
    };

    public override async Task<V1.Group> CreateGroup(V1.CreateGroupRequest request, ServerCallContext context)
    {
        var tenantId = context.CallerTenantId();
        var group = await groups.CreateAsync(tenantId, request.DisplayName, AdminGrpcMessages.Optional(request.Description), audit);
        return ToMessage(group);
    }

    public override async Task<V1.Group> GetGroup(V1.GroupRef request, ServerCallContext context) =>
        ToMessage(await groups.GetAsync(context.CallerTenantId(), request.Id));

    public override async Task<V1.ListGroupsResponse> ListGroups(V1.ListGroupsRequest request, ServerCallContext context)
    {
        var tenantId = context.CallerTenantId();
        var response = new V1.ListGroupsResponse();
        response.Groups.AddRange((await groups.ListAsync(tenantId)).Select(ToMessage));
        return response;
    }

    public override async Task<Empty> DeleteGroup(V1.GroupRef request, ServerCallContext context)
    {
        var tenantId = context.CallerTenantId();
        await groups.DeleteAsync(tenantId, request.Id, audit);
        return new Empty();
    }

    public override async Task<Empty> AddGroupMembers(V1.AddGroupMembersRequest request, ServerCallContext context)
    {
        var tenantId = context.CallerTenantId();
        if (request.Members.Count == 0)
        {
            throw new InvalidRequestException("members must name at least one device or user.", "members");
        }

        var members = request.Members.Select((m, i) => GroupService.Member(
            m.Kind switch
            {
                V1.GroupMemberKind.Device => GroupMemberKind.Device,
                V1.GroupMemberKind.User => GroupMemberKind.User,
                _ => throw new InvalidRequestException($"members[{i}].kind must be GROUP_MEMBER_KIND_DEVICE or GROUP_MEMBER_KIND_USER.", $"members[{i}].kind"),
            },
            m.Id)).ToList();
        await groups.AddMembersAsync(tenantId, request.GroupId, members, audit);
        return new Empty();
    }

    public override async Task<Empty> RemoveGroupMember(V1.RemoveGroupMemberRequest request, ServerCallContext context)
    {
        var tenantId = context.CallerTenantId();
        await groups.RemoveMemberAsync(tenantId, request.GroupId, request.MemberId, audit);
        return new Empty();
    }

    public override async Task<V1.ListGroupMembersResponse> ListGroupMembers(V1.GroupRef request, ServerCallContext context)
    {
        var tenantId = context.CallerTenantId();
        var members = await groups.MembersAsync(tenantId, request.Id);
        var response = new V1.ListGroupMembersResponse();
        response.Members.AddRange(members.Devices.Select(d => new V1.GroupMember { Kind = V1.GroupMemberKind.Device, Id = d }));
        response.Members.AddRange(members.Users.Select(u => new V1.GroupMember { Kind = V1.GroupMemberKind.User, Id = u }));
        return response;
    }

    private static V1.Group ToMessage(GroupInfo group) => new()
    {
        Id = group.Id,
        DisplayName = group.DisplayName,
        Description = group.Description ?? string.Empty,
        CreatedDateTime = AdminGrpcMessages.Time(group.CreatedDateTime),
        DeviceMemberCount = group.DeviceMemberCount,
        UserMemberCount = group.UserMemberCount,
    };
}
