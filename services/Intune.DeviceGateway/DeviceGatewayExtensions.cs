using System.Net;
using Intune.ClusterConfig;
using Intune.DeviceGateway.Errors;
using Intune.DeviceGateway.Grpc;
using Intune.DeviceGateway.Limits;
using Intune.DeviceGateway.Security;
using Intune.Routing;
using Intune.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Intune.DeviceGateway;

public static class DeviceGatewayExtensions
{
    /// <summary>
    /// Adds the device gateway: its TLS endpoints (client certificates allowed, checked once per connection)
    /// and the gRPC device service. Without <paramref name="bindings"/> it is a unit's co-hosted
    /// gateway on <c>Gateways:DevicePort</c> and needs an <see cref="IGrainFactory"/>; a standalone
    /// gateway passes one binding per scale unit it serves devices of.
    /// </summary>
    public static WebApplicationBuilder AddDeviceGateway(this WebApplicationBuilder builder, IReadOnlyList<DeviceEndpointBinding>? bindings = null)
    {
        var gateway = builder.AddValidatedOptions<GatewayListenOptions, GatewayListenOptionsValidator>(GatewayListenOptions.SectionName);
        bindings ??= [new DeviceEndpointBinding(gateway.DevicePort)];
        builder.Services.AddSingleton(bindings);
        builder.Services.ExcludeFromOperationalEndpoints(bindings.Select(b => b.Port));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DeviceGatewayCertificates>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DeviceGatewayCertificates>());
        builder.Services.AddSingleton<TrustedAuthorities>();
        builder.Services.AddSingleton<DeviceCertificateAuthenticator>();
        builder.AddValidatedOptions<TenantMoveMarkOptions, TenantMoveMarkOptionsValidator>(TenantMoveMarkOptions.SectionName);
        builder.Services.TryAddSingleton<TenantMoveMarks>();
        builder.Services.AddSingleton<ConnectedDevices>();
        builder.Services.AddLocalPortRouting();
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = 1024 * 1024;
            o.EnableDetailedErrors = false;
        }).AddServiceOptions<DeviceGrpcService>(o =>
        {
            o.Interceptors.Add<DeviceGrpcErrorInterceptor>();
            o.Interceptors.Add<DeviceInputLimitInterceptor>();
        });

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var binding in bindings)
            {
                kestrel.Listen(IPAddress.Parse(gateway.ListenAddress), binding.Port, listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    listen.UseDeviceTls(binding.Port);
                });
            }
        });
        return builder;
    }

    public static WebApplication MapDeviceGateway(this WebApplication app)
    {
        var bindings = app.Services.GetRequiredService<IReadOnlyList<DeviceEndpointBinding>>();
        app.MapGrpcService<DeviceGrpcService>().RequireLocalPort([.. bindings.Select(b => b.Port)]);
        return app;
    }
}
