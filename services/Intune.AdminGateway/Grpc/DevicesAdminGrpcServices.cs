using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Intune.Admin.V1;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.Grains.Devices;
using Intune.Grains.Policies;
using Intune.Grains.Tenants;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using EnrollmentAssignmentTarget = Intune.Grains.Tenants.EnrollmentAssignmentTarget;
using PolicyKind = Intune.Grains.Policies.PolicyKind;

namespace Intune.AdminGateway.Grpc;

/// <summary>
/// Wiring of the services of <c>devices_admin.proto</c>: each is audited by
/// <see cref="AdminAuditInterceptor"/> and answers only on the admin gRPC port.
/// </summary>
internal static class DevicesAdminGrpc
{
    public static IGrpcServerBuilder AddDevicesAdminGrpc(this IGrpcServerBuilder grpc) => grpc
        .AddServiceOptions<ManagedDeviceActionsGrpcService>(Audited)
        .AddServiceOptions<ManagedDeviceAdministrationGrpcService>(Audited)
        .AddServiceOptions<EnrollmentTokenAdministrationGrpcService>(Audited)
        .AddServiceOptions<EnrollmentConfigurationsGrpcService>(Audited)
        .AddServiceOptions<RoleAdministrationGrpcService>(Audited)
        .AddServiceOptions<AuditCategoriesGrpcService>(Audited);

    public static void MapDevicesAdminGrpc(this WebApplication app, string host)
    {
        app.MapGrpcService<ManagedDeviceActionsGrpcService>().RequireHost(host);
        app.MapGrpcService<ManagedDeviceAdministrationGrpcService>().RequireHost(host);
        app.MapGrpcService<EnrollmentTokenAdministrationGrpcService>().RequireHost(host);
        app.MapGrpcService<EnrollmentConfigurationsGrpcService>().RequireHost(host);
        app.MapGrpcService<RoleAdministrationGrpcService>().RequireHost(host);
        app.MapGrpcService<AuditCategoriesGrpcService>().RequireHost(host);
    }

    /// <summary>Runs an application-layer operation, turning its refusals into gRPC statuses.</summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (AdminInputException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        catch (AdminPreconditionException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
    }

    public static string RequireId(string id, string field = "id") =>
        string.IsNullOrWhiteSpace(id) ? throw AdminCall.InvalidArgument($"{field} is required.") : id;

    public static RpcException NotFound(string resource, string id) =>
        new(new Status(StatusCode.NotFound, $"No {resource} with id '{id}' exists in this tenant."));

    private static void Audited(GrpcServiceOptions options) => options.Interceptors.Add<AdminAuditInterceptor>();
}

[Authorize(Policy = AdminGatewayExtensions.AdminPolicy)]
internal sealed class ManagedDeviceActionsGrpcService(ManagedDeviceCommands commands, AuditRecorder audit) : ManagedDeviceActions.ManagedDeviceActionsBase
{
    public override Task<Empty> RemoteLock(ManagedDeviceActionRequest request, ServerCallContext context) => RequestAsync(request.Id, new DeviceActionRequest(DeviceActionKind.RemoteLock), context);

    public override Task<Empty> Retire(ManagedDeviceActionRequest request, ServerCallContext context) => RequestAsync(request.Id, new DeviceActionRequest(DeviceActionKind.Retire), context);

    public override Task<Empty> Wipe(WipeManagedDeviceRequest request, ServerCallContext context) =>
        RequestAsync(request.Id, new DeviceActionRequest(DeviceActionKind.Wipe, request.KeepEnrollmentData, request.KeepUserData, request.MacOsUnlockCode.Length == 0 ? null : request.MacOsUnlockCode), context);

    public override Task<Empty> SyncDevice(ManagedDeviceActionRequest request, ServerCallContext context) => RequestAsync(request.Id, new DeviceActionRequest(DeviceActionKind.SyncDevice), context);

    public override Task<Empty> RebootNow(ManagedDeviceActionRequest request, ServerCallContext context) => RequestAsync(request.Id, new DeviceActionRequest(DeviceActionKind.RebootNow), context);

    public override Task<Empty> ResetPasscode(ManagedDeviceActionRequest request, ServerCallContext context) => RequestAsync(request.Id, new DeviceActionRequest(DeviceActionKind.ResetPasscode), context);

    public override Task<Empty> ShutDown(ManagedDeviceActionRequest request, ServerCallContext context) => RequestAsync(request.Id, new DeviceActionRequest(DeviceActionKind.ShutDown), context);

    private async Task<Empty> RequestAsync(string id, DeviceActionRequest action, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, ManagedDeviceCommands.ActionPermissions[action.Kind]);
        DevicesAdminGrpc.RequireId(id);
        return await DevicesAdminGrpc.RunAsync(async () =>
            await commands.RequestActionAsync(tenantId, id, action, audit) ? new Empty() : throw DevicesAdminGrpc.NotFound("managedDevice", id));
    }
}

[Authorize(Policy = AdminGatewayExtensions.AdminPolicy)]
internal sealed class ManagedDeviceAdministrationGrpcService(ManagedDeviceCommands commands, ManagedDeviceQueries queries, AuditRecorder audit)
    : ManagedDeviceAdministration.ManagedDeviceAdministrationBase
{
    public override async Task<Admin.V1.ManagedDevice> UpdateManagedDevice(UpdateManagedDeviceRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.ManagedDevicesUpdate);
        var id = DevicesAdminGrpc.RequireId(request.Id);
        if (!request.HasNotes && !request.HasManagedDeviceOwnerType)
        {
            throw AdminCall.InvalidArgument("Nothing to change: set notes and/or managed_device_owner_type.");
        }

        return await DevicesAdminGrpc.RunAsync(async () =>
        {
            var update = new ManagedDeviceUpdate(
                request.HasNotes ? request.Notes : null,
                request.HasManagedDeviceOwnerType ? ManagedDeviceCommands.ParseOwnerType(request.ManagedDeviceOwnerType) : null);
            return await commands.UpdateAsync(tenantId, id, update, audit) is { } updated
                ? ManagedDevicesGrpcService.ToMessage(updated)
                : throw DevicesAdminGrpc.NotFound("managedDevice", id);
        });
    }

    public override async Task<Empty> DeleteManagedDevice(DeleteManagedDeviceRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.ManagedDevicesDelete);
        var id = DevicesAdminGrpc.RequireId(request.Id);
        return await commands.DeleteAsync(tenantId, id, audit) ? new Empty() : throw DevicesAdminGrpc.NotFound("managedDevice", id);
    }

    public override async Task<ListDeviceActionResultsResponse> ListDeviceActionResults(ListDeviceActionResultsRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.ManagedDevicesRead);
        var id = DevicesAdminGrpc.RequireId(request.Id);
        var device = await queries.GetAsync(tenantId, id) ?? throw DevicesAdminGrpc.NotFound("managedDevice", id);
        var response = new ListDeviceActionResultsResponse();
        response.Results.AddRange(device.DeviceActionResults.Select(r => new Admin.V1.DeviceActionResult
        {
            ActionName = r.ActionName,
            ActionState = DeviceFields.GraphName(r.ActionState.ToString()),
            StartDateTime = Timestamp.FromDateTimeOffset(r.StartDateTime),
            LastUpdatedDateTime = Timestamp.FromDateTimeOffset(r.LastUpdatedDateTime),
        }));
        return response;
    }

    public override async Task<ListDeviceCompliancePolicyStatesResponse> ListDeviceCompliancePolicyStates(ListDeviceCompliancePolicyStatesRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.ManagedDevicesRead);
        var id = DevicesAdminGrpc.RequireId(request.Id);
        var states = await queries.PolicyStatesAsync(tenantId, id, PolicyKind.Compliance) ?? throw DevicesAdminGrpc.NotFound("managedDevice", id);
        var response = new ListDeviceCompliancePolicyStatesResponse();
        foreach (var state in states)
        {
            var message = new DeviceCompliancePolicyState
            {
                Id = state.PolicyId,
                DisplayName = state.DisplayName,
                Version = state.Version,
                State = PolicyGraphMapping.ComplianceStatus(state.State),
                SettingCount = state.Settings.Count,
            };
            message.SettingStates.AddRange(state.Settings.Select(s => new DeviceCompliancePolicySettingState
            {
                Setting = s.Setting,
                State = PolicyGraphMapping.ComplianceStatus(s.State),
                CurrentValue = s.Actual ?? string.Empty,
                ErrorDescription = s.Detail ?? string.Empty,
            }));
            response.States.Add(message);
        }

        return response;
    }
}

[Authorize(Policy = AdminGatewayExtensions.AdminPolicy)]
internal sealed class EnrollmentTokenAdministrationGrpcService(EnrollmentTokenService tokens, AuditRecorder audit) : EnrollmentTokenAdministration.EnrollmentTokenAdministrationBase
{
    public override async Task<Empty> RevokeEnrollmentToken(RevokeEnrollmentTokenRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.EnrollmentWrite);
        var id = DevicesAdminGrpc.RequireId(request.TokenId, "token_id");
        return await tokens.RevokeAsync(tenantId, id, audit) ? new Empty() : throw DevicesAdminGrpc.NotFound("enrollment token", id);
    }
}

[Authorize(Policy = AdminGatewayExtensions.AdminPolicy)]
internal sealed class EnrollmentConfigurationsGrpcService(EnrollmentConfigurationService configurations, AuditRecorder audit) : EnrollmentConfigurations.EnrollmentConfigurationsBase
{
    private const string Resource = "deviceEnrollmentConfiguration";

    public override async Task<ListEnrollmentConfigurationsResponse> ListEnrollmentConfigurations(ListEnrollmentConfigurationsRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.EnrollmentRead);
        var response = new ListEnrollmentConfigurationsResponse();
        response.Configurations.AddRange((await configurations.ListAsync(tenantId)).Select(ToMessage));
        return response;
    }

    public override async Task<Admin.V1.EnrollmentConfiguration> GetEnrollmentConfiguration(GetEnrollmentConfigurationRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.EnrollmentRead);
        var id = DevicesAdminGrpc.RequireId(request.Id);
        return await configurations.GetAsync(tenantId, id) is { } found ? ToMessage(found) : throw DevicesAdminGrpc.NotFound(Resource, id);
    }

    public override async Task<Admin.V1.EnrollmentConfiguration> CreateEnrollmentConfiguration(CreateEnrollmentConfigurationRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.EnrollmentWrite);
        var json = ToJson(request.Configuration, "configuration");
        return await DevicesAdminGrpc.RunAsync(async () => ToMessage(await configurations.CreateAsync(tenantId, json, audit)));
    }

    public override async Task<Admin.V1.EnrollmentConfiguration> UpdateEnrollmentConfiguration(UpdateEnrollmentConfigurationRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.EnrollmentWrite);
        var id = DevicesAdminGrpc.RequireId(request.Id);
        var json = ToJson(request.Patch, "patch");
        return await DevicesAdminGrpc.RunAsync(async () =>
            await configurations.UpdateAsync(tenantId, id, json, audit) is { } updated ? ToMessage(updated) : throw DevicesAdminGrpc.NotFound(Resource, id));
    }

    public override async Task<Empty> DeleteEnrollmentConfiguration(DeleteEnrollmentConfigurationRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.EnrollmentWrite);
        var id = DevicesAdminGrpc.RequireId(request.Id);
        return await DevicesAdminGrpc.RunAsync(async () =>
            await configurations.DeleteAsync(tenantId, id, audit) ? new Empty() : throw DevicesAdminGrpc.NotFound(Resource, id));
    }

    public override async Task<Empty> AssignEnrollmentConfiguration(AssignEnrollmentConfigurationRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.EnrollmentWrite);
        var id = DevicesAdminGrpc.RequireId(request.Id);
        if (request.Targets.Any(t => string.IsNullOrWhiteSpace(t.OdataType)))
        {
            throw AdminCall.InvalidArgument("Every target needs an odata_type, e.g. '#microsoft.graph.groupAssignmentTarget'.");
        }

        var targets = request.Targets.Select(t => new EnrollmentAssignmentTarget(t.OdataType, t.GroupId.Length == 0 ? null : t.GroupId)).ToList();
        return await DevicesAdminGrpc.RunAsync(async () =>
            await configurations.AssignAsync(tenantId, id, targets, audit) ? new Empty() : throw DevicesAdminGrpc.NotFound(Resource, id));
    }

    public override async Task<Empty> SetEnrollmentConfigurationPriority(SetEnrollmentConfigurationPriorityRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.EnrollmentWrite);
        var id = DevicesAdminGrpc.RequireId(request.Id);
        return await DevicesAdminGrpc.RunAsync(async () =>
            await configurations.SetPriorityAsync(tenantId, id, request.Priority, audit) ? new Empty() : throw DevicesAdminGrpc.NotFound(Resource, id));
    }

    /// <summary>The Struct as the Graph JSON the application layer reads, so REST and gRPC share one mapping.</summary>
    private static JsonElement ToJson(Struct? payload, string field)
    {
        if (payload is null)
        {
            throw AdminCall.InvalidArgument($"{field} is required: Graph's deviceEnrollmentConfiguration JSON, with '@odata.type' on create.");
        }

        using var document = JsonDocument.Parse(JsonFormatter.Default.Format(payload));
        return document.RootElement.Clone();
    }

    private static Admin.V1.EnrollmentConfiguration ToMessage(Grains.Tenants.EnrollmentConfiguration configuration) => new()
    {
        Graph = Struct.Parser.ParseJson(EnrollmentConfigurationGraph.ToJson(configuration).ToJsonString(GraphJson.Options)),
    };
}

[Authorize(Policy = AdminGatewayExtensions.AdminPolicy)]
internal sealed class AuditCategoriesGrpcService(AuditLog log) : AuditCategories.AuditCategoriesBase
{
    public override async Task<GetAuditCategoriesResponse> GetAuditCategories(GetAuditCategoriesRequest request, ServerCallContext context)
    {
        await AdminCall.AuthorizeAsync(context, AdminPermissions.AuditRead);
        var response = new GetAuditCategoriesResponse();
        response.Categories.AddRange(AuditLog.Categories);
        return response;
    }

    public override async Task<GetAuditActivityTypesResponse> GetAuditActivityTypes(GetAuditActivityTypesRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.AuditRead);
        var category = DevicesAdminGrpc.RequireId(request.Category, "category");
        var response = new GetAuditActivityTypesResponse();
        response.ActivityTypes.AddRange(await log.ActivityTypesAsync(tenantId, category));
        return response;
    }
}
