using Grpc.AspNetCore.Server;
using Intune.AdminGateway.Errors;
using Intune.AdminGateway.Moves;
using Intune.AdminGateway.Operations;
using Intune.AdminGateway.Resources.AccessVerdicts;
using Intune.AdminGateway.Resources.AppConfigurations;
using Intune.AdminGateway.Resources.AuditEvents;
using Intune.AdminGateway.Resources.DeviceActions;
using Intune.AdminGateway.Resources.EnrollmentConfigurations;
using Intune.AdminGateway.Resources.EnrollmentTokens;
using Intune.AdminGateway.Resources.Groups;
using Intune.AdminGateway.Resources.ManagedDevices;
using Intune.AdminGateway.Resources.MobileApps;
using Intune.AdminGateway.Resources.Policies;
using Intune.AdminGateway.Resources.RetireRequests;
using Intune.AdminGateway.Resources.Roles;
using Intune.AdminGateway.Resources.TenantSettings;
using Intune.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Intune.AdminGateway.Grpc;

/// <summary>
/// The one list of admin gRPC services. Each gets the admin interceptors (errors outermost, then
/// the tenant-move gate, then permission and audit) and the per-tenant rate limit it shares with
/// REST, per service rather than globally because the device gateway's gRPC in
/// the same process is not an admin API, and each method's endpoint carries its
/// <see cref="AdminOperation"/> from the service's <see cref="IAdminGrpcService.Operations"/>.
/// </summary>
public static class AdminGrpc
{
    public static IServiceCollection AddAdminGrpc(this IServiceCollection services)
    {
        services.AddSingleton<AdminOperationInterceptor>();
        services.AddSingleton<TenantMoveInterceptor>();
        var grpc = services.AddGrpc();
        Each(new Registration(grpc));
        return services;
    }

    /// <summary>Maps every admin service on <paramref name="host"/> behind the admin authorization policy.</summary>
    public static void MapAdminGrpc(this IEndpointRouteBuilder app, int port) => Each(new Mapping(app, port));

    private static void Each(IAdminGrpcVisitor visitor)
    {
        visitor.Visit<ManagedDevicesGrpcService>();
        visitor.Visit<DeviceActionsGrpcService>();
        visitor.Visit<PoliciesGrpcService>();
        visitor.Visit<GroupsGrpcService>();
        visitor.Visit<EnrollmentConfigurationsGrpcService>();
        visitor.Visit<EnrollmentTokensGrpcService>();
        visitor.Visit<RolesGrpcService>();
        visitor.Visit<AuditEventsGrpcService>();
        visitor.Visit<TenantSettingsGrpcService>();
        visitor.Visit<RetireRequestsGrpcService>();
        visitor.Visit<AccessVerdictsGrpcService>();
        visitor.Visit<MobileAppsGrpcService>();
        visitor.Visit<AppConfigurationsGrpcService>();
    }

    private interface IAdminGrpcVisitor
    {
        void Visit<TService>()
            where TService : class, IAdminGrpcService;
    }

    private sealed class Registration(IGrpcServerBuilder grpc) : IAdminGrpcVisitor
    {
        public void Visit<TService>()
            where TService : class, IAdminGrpcService =>
            grpc.AddServiceOptions<TService>(options =>
            {
                // Every exception of a handler is translated by the interceptors below; what reaches
                // gRPC's own handling is a request it could not read (protobuf's 100-level recursion
                // limit: a Struct nested ~50 deep), which grpc-dotnet answers Unknown before any
                // interceptor runs. Detailed errors make that answer say why, so the caller can act.
                options.EnableDetailedErrors = true;
                options.Interceptors.Add<AdminGrpcErrorInterceptor>();
                options.Interceptors.Add<TenantMoveInterceptor>();
                options.Interceptors.Add<AdminOperationInterceptor>();
            });
    }

    private sealed class Mapping(IEndpointRouteBuilder app, int port) : IAdminGrpcVisitor
    {
        public void Visit<TService>()
            where TService : class, IAdminGrpcService
        {
            var service = app.MapGrpcService<TService>().RequireLocalPort(port).RequireAuthorization(AdminGatewayExtensions.AdminPolicy)
                .RequireRateLimiting(AdminGatewayExtensions.TenantRateLimitPolicy);
            service.Add(endpoint =>
            {
                if (endpoint.Metadata.OfType<GrpcMethodMetadata>().FirstOrDefault() is { } method
                    && TService.Operations.TryGetValue(method.Method.Name, out var operation))
                {
                    endpoint.Metadata.Add(operation);
                }
            });
        }
    }
}
