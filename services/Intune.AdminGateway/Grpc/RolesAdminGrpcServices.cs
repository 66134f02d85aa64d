using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.Admin.V1;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Microsoft.AspNetCore.Authorization;
using RoleAssignment = Intune.Admin.V1.RoleAssignment;

namespace Intune.AdminGateway.Grpc;

/// <summary>Custom role definitions and role assignments over gRPC, through <see cref="RoleManagement"/> like REST.</summary>
[Authorize(Policy = AdminGatewayExtensions.AdminPolicy)]
internal sealed class RoleAdministrationGrpcService(RoleManagement roles, AuditRecorder audit) : RoleAdministration.RoleAdministrationBase
{
    private const string DefinitionResource = "roleDefinition";
    private const string AssignmentResource = "roleAssignment";

    public override async Task<Admin.V1.RoleDefinition> GetRoleDefinition(GetRoleDefinitionRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.RolesRead);
        var id = DevicesAdminGrpc.RequireId(request.Id);
        return await roles.GetDefinitionAsync(tenantId, id) is { } found ? ToMessage(found) : throw DevicesAdminGrpc.NotFound(DefinitionResource, id);
    }

    public override async Task<Admin.V1.RoleDefinition> CreateRoleDefinition(CreateRoleDefinitionRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.RolesWrite);
        var draft = new RoleDefinitionDraft(request.DisplayName, Optional(request.Description), request.AllowedResourceActions, request.NotAllowedResourceActions);
        return await DevicesAdminGrpc.RunAsync(async () => ToMessage(await roles.CreateDefinitionAsync(tenantId, draft, audit)));
    }

    public override async Task<Admin.V1.RoleDefinition> UpdateRoleDefinition(UpdateRoleDefinitionRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.RolesWrite);
        var id = DevicesAdminGrpc.RequireId(request.Id);
        var draft = new RoleDefinitionDraft(
            request.HasDisplayName ? request.DisplayName : null,
            request.HasDescription ? request.Description : null,
            request.ResourceActions?.AllowedResourceActions,
            request.ResourceActions?.NotAllowedResourceActions);
        return await DevicesAdminGrpc.RunAsync(async () =>
            await roles.UpdateDefinitionAsync(tenantId, id, draft, audit) is { } updated ? ToMessage(updated) : throw DevicesAdminGrpc.NotFound(DefinitionResource, id));
    }

    public override async Task<Empty> DeleteRoleDefinition(DeleteRoleDefinitionRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.RolesWrite);
        var id = DevicesAdminGrpc.RequireId(request.Id);
        return await DevicesAdminGrpc.RunAsync(async () =>
            await roles.DeleteDefinitionAsync(tenantId, id, audit) ? new Empty() : throw DevicesAdminGrpc.NotFound(DefinitionResource, id));
    }

    public override async Task<ListRoleAssignmentsResponse> ListRoleAssignments(ListRoleAssignmentsRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.RolesRead);
        var response = new ListRoleAssignmentsResponse();
        response.RoleAssignments.AddRange((await roles.ListAssignmentsAsync(tenantId)).Select(ToMessage));
        return response;
    }

    public override async Task<RoleAssignment> GetRoleAssignment(GetRoleAssignmentRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.RolesRead);
        var id = DevicesAdminGrpc.RequireId(request.Id);
        return await roles.GetAssignmentAsync(tenantId, id) is { } found ? ToMessage(found) : throw DevicesAdminGrpc.NotFound(AssignmentResource, id);
    }

    public override async Task<RoleAssignment> CreateRoleAssignment(CreateRoleAssignmentRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.RolesWrite);
        var draft = new RoleAssignmentDraft(
            request.DisplayName,
            Optional(request.Description),
            request.RoleDefinitionId,
            request.Members,
            request.ResourceScopes.Count == 0 ? null : request.ResourceScopes);
        return await DevicesAdminGrpc.RunAsync(async () => ToMessage(await roles.CreateAssignmentAsync(tenantId, draft, audit)));
    }

    public override async Task<RoleAssignment> UpdateRoleAssignment(UpdateRoleAssignmentRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.RolesWrite);
        var id = DevicesAdminGrpc.RequireId(request.Id);
        var draft = new RoleAssignmentDraft(
            request.HasDisplayName ? request.DisplayName : null,
            request.HasDescription ? request.Description : null,
            request.HasRoleDefinitionId ? DevicesAdminGrpc.RequireId(request.RoleDefinitionId, "role_definition_id") : null,
            request.Members?.Values,
            request.ResourceScopes?.Values);
        return await DevicesAdminGrpc.RunAsync(async () =>
            await roles.UpdateAssignmentAsync(tenantId, id, draft, audit) is { } updated ? ToMessage(updated) : throw DevicesAdminGrpc.NotFound(AssignmentResource, id));
    }

    public override async Task<Empty> DeleteRoleAssignment(DeleteRoleAssignmentRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.RolesWrite);
        var id = DevicesAdminGrpc.RequireId(request.Id);
        return await roles.DeleteAssignmentAsync(tenantId, id, audit) ? new Empty() : throw DevicesAdminGrpc.NotFound(AssignmentResource, id);
    }

    internal static Admin.V1.RoleDefinition ToMessage(RoleDefinitionView view)
    {
        var message = new Admin.V1.RoleDefinition
        {
            Id = view.Definition.Id,
            DisplayName = view.Definition.DisplayName,
            Description = view.Definition.Description ?? string.Empty,
            IsBuiltIn = view.IsBuiltIn,
        };
        message.AllowedResourceActions.AddRange(view.Definition.AllowedResourceActions);
        message.NotAllowedResourceActions.AddRange(view.Definition.NotAllowedResourceActions);
        return message;
    }

    private static RoleAssignment ToMessage(Grains.Rbac.RoleAssignment assignment)
    {
        var message = new RoleAssignment
        {
            Id = assignment.Id,
            DisplayName = assignment.DisplayName,
            Description = assignment.Description ?? string.Empty,
            RoleDefinitionId = assignment.RoleDefinitionId,
        };
        message.Members.AddRange(assignment.Members);
        message.ResourceScopes.AddRange(assignment.ResourceScopes);
        return message;
    }

    /// <summary>proto3 strings cannot be null; an empty one means "not given".</summary>
    private static string? Optional(string value) => value.Length == 0 ? null : value;
}
