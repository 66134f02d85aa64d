using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Grpc;
using Intune.AdminGateway.Operations;
using Intune.Grains.Apps;
using V1 = Intune.Admin.V1;

namespace Intune.AdminGateway.Resources.AppConfigurations;

/// <summary><c>intune.admin.v1.AppConfigurations</c>: app configurations over the service REST uses, with Graph's JSON bodies.</summary>
internal sealed class AppConfigurationsGrpcService(AppConfigurationService configurations, AuditRecorder audit) : V1.AppConfigurations.AppConfigurationsBase, IAdminGrpcService
{
    public static IReadOnlyDictionary<string, GrpcOperation> Operations { get; } = new Dictionary<string, GrpcOperation>
    {
        [nameof(CreateAppConfiguration)] = AppConfigurationOperations.Create,
        [nameof(GetAppConfiguration)] = AppConfigurationOperations.Get,
        [nameof(ListAppConfigurations)] = AppConfigurationOperations.List,
        [nameof(UpdateAppConfiguration)] = AppConfigurationOperations.Update,
        [nameof(DeleteAppConfiguration)] = AppConfigurationOperations.Delete,
        [nameof(AssignAppConfiguration)] = AppConfigurationOperations.Assign,
    };

    public override async Task<V1.AppConfiguration> CreateAppConfiguration(V1.AppConfigurationBody request, ServerCallContext context) =>
        Message(await configurations.CreateAsync(context.CallerTenantId(), AdminGrpcMessages.GraphBody(request.GraphBody, "graph_body"), audit));

    public override async Task<V1.AppConfiguration> GetAppConfiguration(V1.AppConfigurationRef request, ServerCallContext context) =>
        Message(await configurations.GetAsync(context.CallerTenantId(), AdminGrpcMessages.Required(request.Id, "id")));

    public override async Task<V1.ListAppConfigurationsResponse> ListAppConfigurations(V1.ListAppConfigurationsRequest request, ServerCallContext context)
    {
        var response = new V1.ListAppConfigurationsResponse();
        response.Configurations.AddRange((await configurations.ListAsync(context.CallerTenantId())).Select(Message));
        return response;
    }

    public override async Task<V1.AppConfiguration> UpdateAppConfiguration(V1.UpdateAppConfigurationRequest request, ServerCallContext context) =>
        Message(await configurations.UpdateAsync(context.CallerTenantId(), AdminGrpcMessages.Required(request.Id, "id"), AdminGrpcMessages.GraphBody(request.GraphBody, "graph_body"), audit));

    public override async Task<Empty> DeleteAppConfiguration(V1.AppConfigurationRef request, ServerCallContext context)
    {
        await configurations.DeleteAsync(context.CallerTenantId(), AdminGrpcMessages.Required(request.Id, "id"), audit);
        return new Empty();
    }

    public override async Task<V1.AppConfiguration> AssignAppConfiguration(V1.UpdateAppConfigurationRequest request, ServerCallContext context) =>
        Message(await configurations.AssignAsync(context.CallerTenantId(), AdminGrpcMessages.Required(request.Id, "id"), AdminGrpcMessages.GraphBody(request.GraphBody, "graph_body"), audit));

    private static V1.AppConfiguration Message(AppConfigurationDefinition definition) => new()
    {
        Id = definition.Id,
        GraphBody = AdminGrpcMessages.Struct(AppConfigurationGraphMapping.Write(definition, expandAssignments: true)),
    };
}
