using Grpc.Net.Client;
using Intune.Benchmarks.Echo;
using Intune.Device.V1;
using Intune.DeviceGateway.Security;
using Intune.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Intune.Benchmarks.Scenarios;

/// <summary>
/// The transport ladder under the check-in, each rung one more cost than the last: cleartext
/// HTTP/2 on one connection; TLS with client certificates on 1, 64 and N connections (a Kestrel
/// of its own); the device gateway's own empty call (its Kestrel, certificates and per-call
/// authentication, no grain) over the devices' connections, which is the check-in's ceiling;
/// and a new connection per call, as devices that reconnect for most check-ins make them.
/// Every rung touches each of its channels once before it is measured.
/// </summary>
public sealed partial class SystemBenchmarks
{
    private const string Ladder = "Ceiling";

    private async Task<Load.Result> TransportLadderAsync()
    {
        var empty = new EchoMessage();
        await using (var h2c = await EchoHost.StartAsync(null, TestStorage.FreeTcpPort()))
        {
            using var channel = GrpcChannel.ForAddress(h2c.Address);
            var client = new EchoService.EchoServiceClient(channel);
            await client.EchoAsync(empty);
            var bare = await Load.RunAsync(profile.Workers, profile.Measure, (_, _) => client.EchoAsync(empty).ResponseAsync);
            AddRung($"empty call, h2c (no TLS), 1 connection, {profile.Workers} in flight", bare);
        }

        var certificates = _host.Services.GetRequiredService<DeviceGatewayCertificates>();
        await using (var tls = await EchoHost.StartAsync(certificates.ServerCertificate, TestStorage.FreeTcpPort()))
        {
            foreach (var connections in new[] { 1, 64, _devices.Count }.Where(c => c <= _devices.Count).Distinct())
            {
                var channels = _devices.Take(connections).Select(d => Channel(tls.Address, d.Device)).ToList();
                var clients = channels.Select(c => new EchoService.EchoServiceClient(c)).ToList();
                await Load.TouchAllAsync(clients.Count, profile.Workers, i => clients[i].EchoAsync(empty).ResponseAsync);
                var result = await Load.RunAsync(profile.Workers, profile.Measure, (w, i) => clients[Index(w, i, clients.Count)].EchoAsync(empty).ResponseAsync);
                AddRung($"empty call, mTLS (own Kestrel, certificate read not checked), {connections} connection{(connections == 1 ? string.Empty : "s")}, {profile.Workers} in flight", result);
                channels.ForEach(c => c.Dispose());
            }
        }

        // The devices' own connections, as their check-ins use them next.
        var gateway = _channels.Select(c => new EchoService.EchoServiceClient(c)).ToList();
        await Load.TouchAllAsync(gateway.Count, profile.Workers, i => gateway[i].EchoAsync(empty).ResponseAsync);
        var ceiling = await Load.RunAsync(profile.Workers, profile.Measure, (w, i) => gateway[Index(w, i, gateway.Count)].EchoAsync(empty).ResponseAsync);
        AddRung($"empty call hosted by the device gateway (its Kestrel, TLS, certificates and device authentication; no grain), {gateway.Count} device connections, {profile.Workers} in flight", ceiling);
        return ceiling;
    }

    /// <summary>
    /// Check-ins on a new connection each (TCP + TLS handshake + the connection's one
    /// certificate validation), beside the gateway-hosted empty call made the same way, with
    /// TLS session resumption and with full handshakes.
    /// </summary>
    private async Task ReconnectingCheckInAsync()
    {
        foreach (var resume in new[] { true, false })
        {
            var handshake = resume ? "TLS resumption allowed" : "full handshakes";
            // A session per device to resume from (or, for full handshakes, the same warm-up).
            await Load.TouchAllAsync(_devices.Count, profile.Workers, i => NewConnectionEchoAsync(i, resume));
            var echo = await Load.RunAsync(profile.Workers, profile.Measure, (w, i) => NewConnectionEchoAsync(Index(w, i, _devices.Count), resume));
            AddRung($"gateway-hosted empty call on a new connection per call ({handshake}), {profile.Workers} in flight", echo);
            var checkIns = await Load.RunAsync(profile.Workers, profile.Measure, async (w, i) =>
            {
                var device = _devices[Index(w, i, _devices.Count)].Device;
                using var channel = Channel(_host.DeviceGateway, device, resume);
                await new DeviceService.DeviceServiceClient(channel).CheckInAsync(new CheckInRequest { Facts = device.Profile.Facts(), AssignmentEtag = device.AssignmentEtag });
            });
            report.Add(new Figure(Platform, $"not-modified check-ins on a new connection each ({handshake}), {profile.Workers} in flight", checkIns.PerSecond, "/s",
                "same, empty call", echo.PerSecond,
                Notes: $"p50 {checkIns.Latency.PercentileMs(50):F2} ms, p99 {checkIns.Latency.PercentileMs(99):F2} ms, errors {checkIns.Errors}; {checkIns.Costs}",
                RequestsPerOperation: checkIns.StorageRequestsPerOperation));
        }
    }

    private async Task NewConnectionEchoAsync(int device, bool resume)
    {
        using var channel = Channel(_host.DeviceGateway, _devices[device].Device, resume);
        await new EchoService.EchoServiceClient(channel).EchoAsync(new EchoMessage());
    }

    private void AddRung(string metric, Load.Result result) =>
        report.Add(new Figure(Ladder, metric, result.PerSecond, "/s",
            Notes: $"p50 {result.Latency.PercentileMs(50):F2} ms, p99 {result.Latency.PercentileMs(99):F2} ms, errors {result.Errors}; {result.Costs}"));

    private int Index(int worker, long iteration, int count) => (int)((worker + (iteration * profile.Workers)) % count);
}
