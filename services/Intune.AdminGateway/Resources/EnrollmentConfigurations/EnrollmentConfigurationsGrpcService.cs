using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.Admin.V1;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Grpc;
using Intune.AdminGateway.Operations;
using Intune.Grains.Errors;
using EnrollmentAssignmentTarget = Intune.Grains.Tenants.EnrollmentAssignmentTarget;

namespace Intune.AdminGateway.Resources.EnrollmentConfigurations;

/// <summary><c>intune.admin.v1.EnrollmentConfigurations</c>: Graph's JSON carried as Struct, through the service REST uses.</summary>
internal sealed class EnrollmentConfigurationsGrpcService(EnrollmentConfigurationService configurations, AuditRecorder audit)
    : Admin.V1.EnrollmentConfigurations.EnrollmentConfigurationsBase, IAdminGrpcService
{
    public static IReadOnlyDictionary<string, GrpcOperation> Operations { get; } = new Dictionary<string, GrpcOperation>
    {
        [nameof(ListEnrollmentConfigurations)] = EnrollmentConfigurationOperations.List,
        [nameof(GetEnrollmentConfiguration)] = EnrollmentConfigurationOperations.Get,
        [nameof(CreateEnrollmentConfiguration)] = EnrollmentConfigurationOperations.Create,
        [nameof(UpdateEnrollmentConfiguration)] = EnrollmentConfigurationOperations.Update,
        [nameof(DeleteEnrollmentConfiguration)] = EnrollmentConfigurationOperations.Delete,
        [nameof(AssignEnrollmentConfiguration)] = EnrollmentConfigurationOperations.Assign,
        [nameof(SetEnrollmentConfigurationPriority)] = EnrollmentConfigurationOperations.SetPriority,
    };

    public override async Task<ListEnrollmentConfigurationsResponse> ListEnrollmentConfigurations(ListEnrollmentConfigurationsRequest request, ServerCallContext context)
    {
        var response = new ListEnrollmentConfigurationsResponse();
        response.Configurations.AddRange((await configurations.ListAsync(context.CallerTenantId())).Select(ToMessage));
        return response;
    }

    public override async Task<Admin.V1.EnrollmentConfiguration> GetEnrollmentConfiguration(GetEnrollmentConfigurationRequest request, ServerCallContext context) =>
        ToMessage(await configurations.GetAsync(context.CallerTenantId(), AdminGrpcMessages.Required(request.Id, "id")));

    public override async Task<Admin.V1.EnrollmentConfiguration> CreateEnrollmentConfiguration(CreateEnrollmentConfigurationRequest request, ServerCallContext context) =>
        ToMessage(await configurations.CreateAsync(context.CallerTenantId(), ToJson(request.Configuration, "configuration"), audit));

    public override async Task<Admin.V1.EnrollmentConfiguration> UpdateEnrollmentConfiguration(UpdateEnrollmentConfigurationRequest request, ServerCallContext context)
    {
        var id = AdminGrpcMessages.Required(request.Id, "id");
        return ToMessage(await configurations.UpdateAsync(context.CallerTenantId(), id, ToJson(request.Patch, "patch"), audit));
    }

    public override async Task<Empty> DeleteEnrollmentConfiguration(DeleteEnrollmentConfigurationRequest request, ServerCallContext context)
    {
        await configurations.DeleteAsync(context.CallerTenantId(), AdminGrpcMessages.Required(request.Id, "id"), audit);
        return new Empty();
    }

    public override async Task<Empty> AssignEnrollmentConfiguration(AssignEnrollmentConfigurationRequest request, ServerCallContext context)
    {
        var id = AdminGrpcMessages.Required(request.Id, "id");
        if (request.Targets.Any(t => string.IsNullOrWhiteSpace(t.OdataType)))
        {
            throw new InvalidRequestException("Every target needs an odata_type, e.g. '#microsoft.graph.groupAssignmentTarget'.", "targets");
        }

        var targets = request.Targets.Select(t => new EnrollmentAssignmentTarget(t.OdataType, AdminGrpcMessages.Optional(t.GroupId))).ToList();
        await configurations.AssignAsync(context.CallerTenantId(), id, targets, audit);
        return new Empty();
    }

    public override async Task<Empty> SetEnrollmentConfigurationPriority(SetEnrollmentConfigurationPriorityRequest request, ServerCallContext context)
    {
        await configurations.SetPriorityAsync(context.CallerTenantId(), AdminGrpcMessages.Required(request.Id, "id"), request.Priority, audit);
        return new Empty();
    }

    /// <summary>The Struct as the Graph JSON the application layer reads, so REST and gRPC share one mapping.</summary>
    private static JsonElement ToJson(Struct? payload, string field)
    {
        if (payload is null)
        {
            throw new InvalidRequestException($"{field} is required: Graph's deviceEnrollmentConfiguration JSON, with '@odata.type' on create.", field);
        }

        using var document = JsonDocument.Parse(JsonFormatter.Default.Format(payload));
        return document.RootElement.Clone();
    }

    private static Admin.V1.EnrollmentConfiguration ToMessage(Grains.Tenants.EnrollmentConfiguration configuration) => new()
    {
        Graph = Struct.Parser.ParseJson(EnrollmentConfigurationGraph.ToJson(configuration).ToJsonString(GraphJson.Options)),
    };
}
