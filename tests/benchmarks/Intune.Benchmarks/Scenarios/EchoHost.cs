using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Intune.Benchmarks.Echo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Intune.Benchmarks.Scenarios;

/// <summary>
/// The transport ceiling: an empty unary gRPC service behind the device gateway's own TLS setup
/// (HTTP/2, its server certificate, client certificates allowed and read per call).
/// </summary>
public sealed class EchoHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoHost(WebApplication app, int port)
    {
        _app = app;
        Address = new Uri($"https://127.0.0.1:{port}");
    }

    public Uri Address { get; }

    public static async Task<EchoHost> StartAsync(X509Certificate2 serverCertificate, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(https =>
            {
                https.ServerCertificate = serverCertificate;
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.AllowAnyClientCertificate();
            });
        }));
        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        await app.StartAsync();
        return new EchoHost(app, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class EchoService : Echo.EchoService.EchoServiceBase
    {
        public override Task<EchoMessage> Echo(EchoMessage request, ServerCallContext context)
        {
            // Touch the client certificate as the device gateway does on every call.
            _ = context.GetHttpContext().Connection.ClientCertificate;
            return Task.FromResult(request);
        }
    }
}
