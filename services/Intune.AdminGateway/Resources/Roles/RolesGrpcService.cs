using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.Admin.V1;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Grpc;
using Intune.AdminGateway.Operations;
using RoleAssignment = Intune.Admin.V1.RoleAssignment;

namespace Intune.AdminGateway.Resources.Roles;

/// <summary><c>intune.admin.v1.RoleDefinitions</c>: the tenant's role definitions, built-in and custom.</summary>
internal sealed class RoleDefinitionsGrpcService(RoleService roles) : RoleDefinitions.RoleDefinitionsBase, IAdminGrpcService
{
    public static IReadOnlyDictionary<string, GrpcOperation> Operations { get; } = new Dictionary<string, GrpcOperation>
    {
        [nameof(ListRoleDefinitions)] = RoleOperations.ListDefinitions,
    };

    public override async Task<ListRoleDefinitionsResponse> ListRoleDefinitions(ListRoleDefinitionsRequest request, ServerCallContext context)
    {
        var response = new ListRoleDefinitionsResponse();
        response.RoleDefinitions.AddRange((await roles.ListDefinitionsAsync(context.CallerTenantId())).Select(RoleAdministrationGrpcService.ToMessage));
        return response;
    }
}

/// <summary>Custom role definitions and role assignments over gRPC, through <see cref="RoleService"/> like REST.</summary>
internal sealed class RoleAdministrationGrpcService(RoleService roles, AuditRecorder audit) : RoleAdministration.RoleAdministrationBase, IAdminGrpcService
{
    public static IReadOnlyDictionary<string, GrpcOperation> Operations { get; } = new Dictionary<string, GrpcOperation>
    {
        [nameof(GetRoleDefinition)] = RoleOperations.GetDefinition,
        [nameof(CreateRoleDefinition)] = RoleOperations.CreateDefinition,
        [nameof(UpdateRoleDefinition)] = RoleOperations.UpdateDefinition,
        [nameof(DeleteRoleDefinition)] = RoleOperations.DeleteDefinition,
        [nameof(ListRoleAssignments)] = RoleOperations.ListAssignments,
        [nameof(GetRoleAssignment)] = RoleOperations.GetAssignment,
        [nameof(CreateRoleAssignment)] = RoleOperations.CreateAssignment,
        [nameof(UpdateRoleAssignment)] = RoleOperations.UpdateAssignment,
        [nameof(DeleteRoleAssignment)] = RoleOperations.DeleteAssignment,
    };

    public override async Task<Admin.V1.RoleDefinition> GetRoleDefinition(GetRoleDefinitionRequest request, ServerCallContext context)
    {
        var tenantId = context.CallerTenantId();
        var id = AdminGrpcMessages.Required(request.Id, "id");
        return ToMessage(await roles.GetDefinitionAsync(tenantId, id));
    }

    public override async Task<Admin.V1.RoleDefinition> CreateRoleDefinition(CreateRoleDefinitionRequest request, ServerCallContext context)
    {
        var tenantId = context.CallerTenantId();
        var draft = new RoleDefinitionDraft(request.DisplayName, AdminGrpcMessages.Optional(request.Description), request.AllowedResourceActions, request.NotAllowedResourceActions);
        return ToMessage(await roles.CreateDefinitionAsync(tenantId, draft, audit));
    }

    public override async Task<Admin.V1.RoleDefinition> UpdateRoleDefinition(UpdateRoleDefinitionRequest request, ServerCallContext context)
    {
        var tenantId = context.CallerTenantId();
        var id = AdminGrpcMessages.Required(request.Id, "id");
        var draft = new RoleDefinitionDraft(
            request.HasDisplayName ? request.DisplayName : null,
            request.HasDescription ? request.Description : null,
            request.ResourceActions?.AllowedResourceActions,
            request.ResourceActions?.NotAllowedResourceActions);
        return ToMessage(await roles.UpdateDefinitionAsync(tenantId, id, draft, audit));
    }

    public override async Task<Empty> DeleteRoleDefinition(DeleteRoleDefinitionRequest request, ServerCallContext context)
    {
        var tenantId = context.CallerTenantId();
        var id = AdminGrpcMessages.Required(request.Id, "id");
        await roles.DeleteDefinitionAsync(tenantId, id, audit);
        return new Empty();
    }

    public override async Task<ListRoleAssignmentsResponse> ListRoleAssignments(ListRoleAssignmentsRequest request, ServerCallContext context)
    {
        var tenantId = context.CallerTenantId();
        var response = new ListRoleAssignmentsResponse();
        response.RoleAssignments.AddRange((await roles.ListAssignmentsAsync(tenantId)).Select(ToMessage));
        return response;
    }

    public override async Task<RoleAssignment> GetRoleAssignment(GetRoleAssignmentRequest request, ServerCallContext context)
    {
        var tenantId = context.CallerTenantId();
        var id = AdminGrpcMessages.Required(request.Id, "id");
        return ToMessage(await roles.GetAssignmentAsync(tenantId, id));
    }

    public override async Task<RoleAssignment> CreateRoleAssignment(CreateRoleAssignmentRequest request, ServerCallContext context)
    {
        var tenantId = context.CallerTenantId();
        var draft = new RoleAssignmentDraft(
            request.DisplayName,
            AdminGrpcMessages.Optional(request.Description),
            request.RoleDefinitionId,
            request.Members,
            request.ResourceScopes.Count == 0 ? null : request.ResourceScopes);
        return ToMessage(await roles.CreateAssignmentAsync(tenantId, draft, audit));
    }

    public override async Task<RoleAssignment> UpdateRoleAssignment(UpdateRoleAssignmentRequest request, ServerCallContext context)
    {
        var tenantId = context.CallerTenantId();
        var id = AdminGrpcMessages.Required(request.Id, "id");
        var draft = new RoleAssignmentDraft(
            request.HasDisplayName ? request.DisplayName : null,
            request.HasDescription ? request.Description : null,
            request.HasRoleDefinitionId ? AdminGrpcMessages.Required(request.RoleDefinitionId, "role_definition_id") : null,
            request.Members?.Values,
            request.ResourceScopes?.Values);
        return ToMessage(await roles.UpdateAssignmentAsync(tenantId, id, draft, audit));
    }

    public override async Task<Empty> DeleteRoleAssignment(DeleteRoleAssignmentRequest request, ServerCallContext context)
    {
        var tenantId = context.CallerTenantId();
        var id = AdminGrpcMessages.Required(request.Id, "id");
        await roles.DeleteAssignmentAsync(tenantId, id, audit);
        return new Empty();
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
}
