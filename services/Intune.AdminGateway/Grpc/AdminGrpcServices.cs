using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.Admin.V1;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Auth;
using Intune.Grains.Audit;
using Intune.Grains.Devices;
using Intune.Grains.Tenants;
using Intune.Routing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Intune.AdminGateway.Grpc;

/// <summary>Checks shared by the admin gRPC services: the caller's tenant and its permission.</summary>
internal static class AdminCall
{
    /// <summary>The caller's tenant when it holds <paramref name="permission"/>; otherwise PermissionDenied.</summary>
    public static async Task<string> AuthorizeAsync(ServerCallContext context, string permission)
    {
        var http = context.GetHttpContext();
        var tenantId = http.User.GetTenantId() ?? throw new RpcException(new Status(StatusCode.Unauthenticated, "The token carries no 'tid' claim."));
        var granted = await http.RequestServices.GetRequiredService<IPermissionResolver>().ResolveAsync(http.User, context.CancellationToken);
        return granted.Contains(permission)
            ? tenantId
            : throw new RpcException(new Status(StatusCode.PermissionDenied, $"The caller's roles do not grant '{permission}'."));
    }

    public static Dictionary<string, string> Options(params (string Key, string? Value)[] options) =>
        options.Where(o => !string.IsNullOrEmpty(o.Value)).ToDictionary(o => o.Key, o => o.Value!);

    public static RpcException InvalidArgument(string message) => new(new Status(StatusCode.InvalidArgument, message));
}

[Authorize(Policy = AdminGatewayExtensions.AdminPolicy)]
internal sealed class ManagedDevicesGrpcService(ManagedDeviceQueries queries) : ManagedDevices.ManagedDevicesBase
{
    public override async Task<ListManagedDevicesResponse> ListManagedDevices(ListManagedDevicesRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.ManagedDevicesRead);
        if (request.PageSize < 0)
        {
            throw AdminCall.InvalidArgument("page_size must be 0 (default) or between 1 and 1000.");
        }

        ManagedDeviceQuery query;
        try
        {
            query = ManagedDeviceQuery.Parse(AdminCall.Options(
                ("$filter", request.Filter),
                ("$orderby", request.OrderBy),
                ("$top", request.PageSize == 0 ? null : request.PageSize.ToString(CultureInfo.InvariantCulture)),
                ("$skiptoken", request.PageToken),
                ("$count", request.IncludeCount ? "true" : null)));
        }
        catch (InvalidQueryException e)
        {
            throw AdminCall.InvalidArgument(e.Message);
        }

        var result = await queries.QueryAsync(tenantId, query.Query);
        var response = new ListManagedDevicesResponse
        {
            NextPageToken = result.Next is { } next ? ManagedDeviceQuery.EncodeSkipToken(query.Query.Order, next) : string.Empty,
            TotalCount = result.Count ?? 0,
        };
        response.Devices.AddRange(result.Devices.Select(ToMessage));
        return response;
    }

    public override async Task<Admin.V1.ManagedDevice> GetManagedDevice(GetManagedDeviceRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.ManagedDevicesRead);
        return await queries.GetAsync(tenantId, request.Id) is { } device
            ? ToMessage(device)
            : throw new RpcException(new Status(StatusCode.NotFound, $"No managedDevice with id '{request.Id}' exists in this tenant."));
    }

    internal static Admin.V1.ManagedDevice ToMessage(ManagedDeviceView device) => new()
    {
        Id = device.Id,
        DeviceName = device.DeviceName,
        OperatingSystem = device.Platform.OperatingSystem(),
        OsVersion = device.OsVersion ?? string.Empty,
        UserPrincipalName = device.UserPrincipalName ?? string.Empty,
        ComplianceState = DeviceFields.GraphName(device.ComplianceState.ToString()),
        ManagementState = DeviceFields.GraphName(device.ManagementState.ToString()),
        ManagedDeviceOwnerType = DeviceFields.GraphName(device.Ownership.ToString()),
        SerialNumber = device.Hardware.SerialNumber ?? device.Facts.SerialNumber ?? string.Empty,
        EnrolledDateTime = Timestamp.FromDateTimeOffset(device.EnrolledDateTime),
        LastSyncDateTime = Timestamp.FromDateTimeOffset(device.LastSyncDateTime),
    };
}

[Authorize(Policy = AdminGatewayExtensions.AdminPolicy)]
internal sealed class EnrollmentTokensGrpcService(IScaleUnitRouter router, AuditLog audit) : EnrollmentTokens.EnrollmentTokensBase
{
    public override async Task<EnrollmentToken> CreateEnrollmentToken(CreateEnrollmentTokenRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.EnrollmentWrite);
        if (request.LifetimeHours is < 1 or > 8760)
        {
            throw AdminCall.InvalidArgument("lifetime_hours must be between 1 and 8760 (one year).");
        }

        if (request.MaximumUses < 0)
        {
            throw AdminCall.InvalidArgument("maximum_uses must be 0 (unlimited) or positive.");
        }

        var tenant = await TenantAsync(tenantId);
        var created = await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromHours(request.LifetimeHours), request.MaximumUses == 0 ? null : request.MaximumUses);
        await audit.RecordAsync(tenantId, context.GetHttpContext(), "Create EnrollmentToken", "Create", "Enrollment",
            [new AuditResource(created.TokenId, "EnrollmentToken", created.TokenId, [new AuditProperty("expiresDateTime", null, created.ExpiresDateTime.ToString("O", CultureInfo.InvariantCulture))])]);
        return ToMessage(created);
    }

    public override async Task<ListEnrollmentTokensResponse> ListEnrollmentTokens(ListEnrollmentTokensRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.EnrollmentRead);
        var tenant = await TenantAsync(tenantId);
        var response = new ListEnrollmentTokensResponse();
        response.Tokens.AddRange((await tenant.ListEnrollmentTokensAsync()).Select(ToMessage));
        return response;
    }

    private async Task<ITenantGrain> TenantAsync(string tenantId)
    {
        var tenant = (await router.ForTenantAsync(tenantId)).GetGrain<ITenantGrain>(tenantId);
        return await tenant.GetAsync() is null
            ? throw new RpcException(new Status(StatusCode.NotFound, $"Tenant '{tenantId}' does not exist in this scale unit."))
            : tenant;
    }

    private static EnrollmentToken ToMessage(EnrollmentTokenInfo token) => new()
    {
        TokenId = token.TokenId,
        Token = token.Token ?? string.Empty,
        ExpiresDateTime = Timestamp.FromDateTimeOffset(token.ExpiresDateTime),
        MaximumUses = token.MaximumUses ?? 0,
        Uses = token.Uses,
        Revoked = token.Revoked,
    };
}

[Authorize(Policy = AdminGatewayExtensions.AdminPolicy)]
internal sealed class AuditEventsGrpcService(AuditLog log) : AuditEvents.AuditEventsBase
{
    public override async Task<ListAuditEventsResponse> ListAuditEvents(ListAuditEventsRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.AuditRead);
        AuditEventQuery query;
        try
        {
            query = AuditEventQuery.Parse(AdminCall.Options(
                ("$filter", request.Filter),
                ("$top", request.PageSize <= 0 ? null : request.PageSize.ToString(CultureInfo.InvariantCulture)),
                ("$skiptoken", request.PageToken)));
        }
        catch (InvalidQueryException e)
        {
            throw AdminCall.InvalidArgument(e.Message);
        }

        var events = (await log.ListAsync(tenantId, query.Since))
            .Where(e => query.After is not { } after || e.Id.CompareTo(after) < 0)
            .Where(query.Filter)
            .Take(query.Top + 1)
            .ToList();
        var response = new ListAuditEventsResponse
        {
            NextPageToken = events.Count > query.Top ? events[query.Top - 1].Id.ToString() : string.Empty,
        };
        response.Events.AddRange(events.Take(query.Top).Select(e =>
        {
            var message = new Admin.V1.AuditEvent
            {
                Id = e.Id.ToString(),
                Activity = e.Activity,
                ActivityDateTime = Timestamp.FromDateTimeOffset(e.ActivityDateTime),
                ActivityType = e.ActivityType,
                ActivityOperationType = e.ActivityOperationType,
                ActivityResult = e.ActivityResult,
                Category = e.Category,
                CorrelationId = e.CorrelationId.ToString(),
                ActorUserPrincipalName = e.Actor.UserPrincipalName ?? string.Empty,
                ActorIpAddress = e.Actor.IpAddress ?? string.Empty,
            };
            message.ResourceIds.AddRange(e.Resources.Select(r => r.ResourceId));
            return message;
        }));
        return response;
    }
}

[Authorize(Policy = AdminGatewayExtensions.AdminPolicy)]
internal sealed class RoleDefinitionsGrpcService(RoleManagement roles) : RoleDefinitions.RoleDefinitionsBase
{
    public override async Task<ListRoleDefinitionsResponse> ListRoleDefinitions(ListRoleDefinitionsRequest request, ServerCallContext context)
    {
        var tenantId = await AdminCall.AuthorizeAsync(context, AdminPermissions.RolesRead);
        var response = new ListRoleDefinitionsResponse();
        response.RoleDefinitions.AddRange((await roles.ListDefinitionsAsync(tenantId)).Select(RoleAdministrationGrpcService.ToMessage));
        return response;
    }
}
