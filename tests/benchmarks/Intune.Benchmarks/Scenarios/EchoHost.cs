using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Intune.Benchmarks.Echo;
using Intune.DeviceGateway.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Intune.Benchmarks.Scenarios;

/// <summary>
/// Transport rungs below the device gateway: an empty unary gRPC service on a Kestrel of its
/// own, over cleartext HTTP/2 (h2c) or over TLS with the gateway's server certificate and
/// client certificates asked for (read per call, not validated).
/// </summary>
public sealed class EchoHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <param name="serverCertificate">Null for h2c.</param>
    public static async Task<EchoHost> StartAsync(X509Certificate2? serverCertificate, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (serverCertificate is not null)
            {
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = serverCertificate;
                    https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                    https.AllowAnyClientCertificate();
                });
            }
        }));
        var app = builder.Build();
        app.MapGrpcService<TransportEcho>();
        await app.StartAsync();
        return new EchoHost(app, new Uri($"{(serverCertificate is null ? "http" : "https")}://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class TransportEcho : EchoService.EchoServiceBase
    {
        public override Task<EchoMessage> Echo(EchoMessage request, ServerCallContext context)
        {
            _ = context.GetHttpContext().Connection.ClientCertificate;
            return Task.FromResult(request);
        }
    }
}

/// <summary>
/// The check-in's ceiling: an empty call hosted by the device gateway itself (same Kestrel, same
/// TLS setup and certificates, same device authentication per call), with no grain call.
/// </summary>
public sealed class GatewayEcho(DeviceCertificateAuthenticator authenticator) : EchoService.EchoServiceBase
{
    public override async Task<EchoMessage> Echo(EchoMessage request, ServerCallContext context)
    {
        await authenticator.AuthenticateAsync(context);
        return request;
    }
}
