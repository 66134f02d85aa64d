using Grpc.AspNetCore.Server;
using Microsoft.Extensions.DependencyInjection;

namespace Intune.AdminGateway.Grpc;

internal static class PolicyAdminGrpcRegistration
{
    /// <summary>
    /// The policy, group and compliance admin services, each audited by <see cref="AdminAuditInterceptor"/> (as the device and role admin services are).
    /// Per service rather than global: the device gateway's gRPC in the same process is not an admin API.
    /// </summary>
    public static IServiceCollection AddPolicyAdminGrpc(this IServiceCollection services)
    {
        services.AddGrpc()
            .AddServiceOptions<DevicePoliciesGrpcService>(Audited)
            .AddServiceOptions<GroupsGrpcService>(Audited)
            .AddServiceOptions<TenantComplianceGrpcService>(Audited)
            .AddServiceOptions<AccessVerdictsGrpcService>(Audited);
        return services;
    }

    private static void Audited(GrpcServiceOptions options) => options.Interceptors.Add<AdminAuditInterceptor>();
}
