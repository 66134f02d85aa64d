using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Intune.Admin.V1;
using Intune.Device.V1;

namespace Intune.AdminGateway.Tests.Adversarial;

/// <summary>
/// Each front answers only on its own listener, matched by the port the connection was accepted
/// on: a Host header naming the admin port does not make the device port or the admin gRPC port
/// serve Graph, and neither gRPC service answers on the other's port.
/// </summary>
[Trait("Category", "Adversarial")]
public sealed class FrontIsolationTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private static readonly string TenantId = Guid.NewGuid().ToString();

    private ScaleUnitTestHost Host => fixture.Host;

    [Fact]
    public async Task GraphCall_OnTheAdminPort_IsServed()
    {
        using var admin = Host.AdminClient(Host.AdminToken(TenantId));

        var answer = await admin.GetAsync("deviceManagement/managedDevices");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
    }

    [Fact]
    public async Task GraphCall_OnTheAdminGrpcPort_WithTheAdminPortInItsHostHeader_IsNotServed()
    {
        using var http = new HttpClient();

        var answer = await SendAsync(http, new Uri($"http://127.0.0.1:{Host.AdminGrpcPort}/v1.0/deviceManagement/managedDevices"));

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.DoesNotContain("\"value\"", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GraphCall_OnTheDevicePort_WithTheAdminPortInItsHostHeader_IsNotServed()
    {
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        using var http = new HttpClient(handler);

        var answer = await SendAsync(http, new Uri($"https://127.0.0.1:{Host.DevicePort}/v1.0/deviceManagement/managedDevices"));

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.DoesNotContain("\"value\"", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminGrpcCall_OnTheDevicePort_IsUnimplemented()
    {
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{Host.DevicePort}", new GrpcChannelOptions { HttpHandler = handler });
        var devices = new Intune.Admin.V1.ManagedDevices.ManagedDevicesClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            devices.ListManagedDevicesAsync(new ListManagedDevicesRequest(), Bearer()).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task DeviceGrpcCall_OnTheAdminGrpcPort_IsUnimplemented()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{Host.AdminGrpcPort}");
        var device = new DeviceService.DeviceServiceClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            device.CheckInAsync(new CheckInRequest(), Bearer()).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    private Metadata Bearer() => new() { { "Authorization", $"Bearer {Host.AdminToken(TenantId)}" } };

    /// <summary>A Graph GET with a valid token and a Host header that names the admin port.</summary>
    private Task<HttpResponseMessage> SendAsync(HttpClient http, Uri address)
    {
        // Both ports speak HTTP/2 only (h2c and TLS with ALPN h2).
        var request = new HttpRequestMessage(HttpMethod.Get, address) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Host = $"127.0.0.1:{Host.AdminPort}";
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Host.AdminToken(TenantId));
        return http.SendAsync(request);
    }
}
