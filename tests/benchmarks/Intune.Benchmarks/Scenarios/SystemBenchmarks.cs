using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Data.Tables;
using Grpc.Net.Client;
using Intune.Benchmarks.Echo;
using Intune.Device.V1;
using Intune.DeviceGateway.Security;
using Intune.DeviceSim;
using Intune.Grains;
using Intune.Grains.Devices;
using Intune.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using DevicePlatform = Intune.Grains.Devices.DevicePlatform;
using HardwareIdentifiers = Intune.Grains.Devices.HardwareIdentifiers;

namespace Intune.Benchmarks.Scenarios;

public sealed record Profile(
    string Name,
    int GatewayDevices,
    int Workers,
    TimeSpan Measure,
    int GrowthSmall,
    int GrowthLarge,
    int AdminQueries,
    int FanOutDevices,
    int FanOutConnected)
{
    // Connected devices are capped by the open-file limit (each costs two descriptors in this one
    // process; Program raises the limit with setrlimit first) and, in the quick profile, by its 5-minute budget (each connection is a TLS
    // handshake plus a Listen call). Growing the tenant is bound by Azurite's single thread
    // (~360 seeded devices/s, three storage requests each, measured 2026-11-26 after grain-state
    // rows got unique row keys): the quick profile grows to 15,000 to stay within 5 minutes on a fresh clone, the
    // full profile to 100,000 (1,000,000 would take an hour to seed and ~6 GB of Azurite memory).
    public static Profile Quick { get; } = new("quick", 500, 64, TimeSpan.FromSeconds(4), 10_000, 15_000, 50, 10_000, 500);

    public static Profile Full { get; } = new("full", 2_000, 64, TimeSpan.FromSeconds(30), 10_000, 100_000, 1_000, 100_000, 20_000);

    /// <summary>Seconds-long run that only checks the harness works; its figures mean nothing.</summary>
    public static Profile Smoke { get; } = new("smoke", 64, 16, TimeSpan.FromSeconds(1), 500, 1_500, 10, 400, 200);
}

/// <summary>
/// The system benchmarks of issue 7, run against one whole scale unit in this process on the
/// build's Azurite. Order matters: later scenarios reuse the devices earlier ones enrolled.
/// </summary>
public sealed partial class SystemBenchmarks(Profile profile, Report report)
{
    private const string Platform = "Device check-in";
    private readonly List<(SimulatedDevice Device, DeviceService.DeviceServiceClient Client)> _devices = [];

    /// <summary>Each gateway-enrolled device's own connection, shared by its check-ins and the gateway-hosted empty call.</summary>
    private readonly List<GrpcChannel> _channels = [];
    private ScaleUnitTestHost _host = null!;
    private string _tenantId = string.Empty;
    private int _seeded;

    /// <summary>The not-modified check-in window, which the fan-out compares its connected delivery with.</summary>
    private Load.Result? _notModifiedCheckIns;

    /// <summary>The state-changing check-in window: a check-in that delivers a policy persists the device too.</summary>
    private Load.Result? _changingCheckIns;

    /// <param name="transportOnly">Stop after the check-ins: no seeding, growth, admin queries or fan-out.</param>
    public async Task RunAsync(bool transportOnly = false)
    {
        // Allocated before any heap measurement (see SeedIdentities).
        using var identities = new SeedIdentities(profile.FanOutDevices);
        _seedIdentities = identities;
        await using var host = new ScaleUnitTestHost();
        _host = host;
        host.BeforeStart = app => app.MapGrpcService<GatewayEcho>().RequireHost($"*:{host.DevicePort}");
        await host.StartAsync();
        (_tenantId, var token) = await host.CreateTenantAsync("Benchmark tenant");

        await EnrollmentAsync(token);
        await RawCeilingsAsync();
        var ceiling = await TransportLadderAsync();
        await CheckInAsync(ceiling);
        await ReconnectingCheckInAsync();
        if (!transportOnly)
        {
            await MemoryAndGrowthAsync();
            await AdminQueriesAsync();
            await FanOutAsync();
        }

        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        foreach (var (device, _) in _devices)
        {
            device.Dispose();
        }
    }

    private async Task EnrollmentAsync(string token)
    {
        Console.WriteLine($"Enrolling {profile.GatewayDevices} devices through the device gateway…");
        var platforms = new[] { Intune.Device.V1.Platform.Windows, Intune.Device.V1.Platform.Ios, Intune.Device.V1.Platform.Android, Intune.Device.V1.Platform.Macos };
        var latency = new Latency();
        var stopwatch = Stopwatch.StartNew();
        var enrolled = new System.Collections.Concurrent.ConcurrentBag<(SimulatedDevice Device, GrpcChannel Channel)>();
        var window = Load.Window.Start();
        await Parallel.ForEachAsync(Enumerable.Range(0, profile.GatewayDevices), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var device = new SimulatedDevice(_host.DeviceGateway, DeviceProfile.Create(platforms[i % platforms.Length], i, noncompliant: false, new Random(i)));
            var started = Stopwatch.GetTimestamp();
            await device.EnrollAsync(token, ct);
            latency.Add(Stopwatch.GetTimestamp() - started);
            enrolled.Add((device, Channel(_host.DeviceGateway, device)));
        });
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var costs = window.End(profile.GatewayDevices, seconds, latency, 0);
        report.Add(new Figure("Enrollment", "enrollments/s over gRPC (token check, user reservation, CSR → certificate, durable writes), 32 in flight", profile.GatewayDevices / seconds, "/s",
            Notes: $"p50 {latency.PercentileMs(50):F1} ms, p99 {latency.PercentileMs(99):F1} ms; the first check-in is measured apart (next figure); {costs.Costs}",
            RequestsPerOperation: costs.StorageRequestsPerOperation));

        // The first check-in on its own: bootstrap, compliance evaluation, catalog row, hardware index.
        var checkInLatency = new Latency();
        stopwatch.Restart();
        window = Load.Window.Start();
        await Parallel.ForEachAsync(enrolled, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (entry, ct) =>
        {
            var started = Stopwatch.GetTimestamp();
            await entry.Device.CheckInAsync(ct);
            checkInLatency.Add(Stopwatch.GetTimestamp() - started);
        });
        seconds = stopwatch.Elapsed.TotalSeconds;
        costs = window.End(profile.GatewayDevices, seconds, checkInLatency, 0);
        report.Add(new Figure("Enrollment", "first check-ins/s after enrollment (new connection each), 32 in flight", profile.GatewayDevices / seconds, "/s",
            Notes: $"p50 {checkInLatency.PercentileMs(50):F1} ms, p99 {checkInLatency.PercentileMs(99):F1} ms; {costs.Costs}",
            RequestsPerOperation: costs.StorageRequestsPerOperation));
        foreach (var (device, channel) in enrolled)
        {
            _devices.Add((device, new DeviceService.DeviceServiceClient(channel)));
            _channels.Add(channel);
        }

        _seeded = _devices.Count;
    }

    private async Task RawCeilingsAsync()
    {
        // Signature rate: what the CA's signing alone allows (2 threads, CSR → certificate).
        var csr = NewCsr();
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=bench-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
        var signed = await Load.RunAsync(2, TimeSpan.FromSeconds(2), (_, i) =>
        {
            var request = CertificateRequest.LoadSigningRequest(csr, HashAlgorithmName.SHA256);
            using var cert = request.Create(ca, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddYears(1), BitConverter.GetBytes(i + 1));
            return Task.CompletedTask;
        });
        report.Add(new Figure("Enrollment", "ceiling: CSR → signed certificate, 2 threads", signed.PerSecond, "/s"));

        // Storage write rate: ~1 KB entity upserts, 32 in flight, on the same Azurite.
        var table = new TableServiceClient(TestStorage.ConnectionString).GetTableClient($"{_host.StoragePrefix}benchwrites");
        await table.CreateIfNotExistsAsync();
        var payload = new string('x', 1000);
        var writes = await Load.RunAsync(32, TimeSpan.FromSeconds(2), (worker, i) =>
            table.UpsertEntityAsync(new TableEntity("p", $"{worker}-{i}") { ["Data"] = payload }));
        report.Add(new Figure("Enrollment", "ceiling: Azurite table upserts (~1 KB, 32 in flight)", writes.PerSecond, "/s"));
        await table.DeleteAsync();
    }

    private async Task CheckInAsync(Load.Result ceiling)
    {
        // Same connections, same workers, same picking order as the gateway-hosted empty call.
        await Load.TouchAllAsync(_devices.Count, profile.Workers, i => NotModifiedCheckIn(0, i));
        var notModified = await Load.RunAsync(profile.Workers, profile.Measure, NotModifiedCheckIn);
        _notModifiedCheckIns = notModified;
        var ratio = notModified.PerSecond / ceiling.PerSecond;
        report.Add(new Figure(Platform, $"not-modified check-ins, {_devices.Count} devices on their own connections, {profile.Workers} in flight", notModified.PerSecond, "/s",
            "gateway-hosted empty call, same connections", ceiling.PerSecond, "≥ 70% of ceiling", ratio >= 0.7,
            $"p50 {notModified.Latency.PercentileMs(50):F2} ms, p99 {notModified.Latency.PercentileMs(99):F2} ms, errors {notModified.Errors}; {notModified.Costs}",
            notModified.StorageRequestsPerOperation));

        var changing = await Load.RunAsync(profile.Workers, profile.Measure, (w, i) =>
        {
            var (device, client) = Pick(w, i);
            var facts = device.Profile.Facts();
            facts.FreeStorageBytes = 1_000_000 + i; // a reported change: the device grain must persist it
            return client.CheckInAsync(new CheckInRequest { Facts = facts, AssignmentEtag = device.AssignmentEtag }).ResponseAsync;
        });
        _changingCheckIns = changing;
        report.Add(new Figure(Platform, "check-ins that change state (persisted: grain state + catalog)", changing.PerSecond, "/s",
            "gateway-hosted empty call, same connections", ceiling.PerSecond,
            Notes: $"p50 {changing.Latency.PercentileMs(50):F2} ms, p99 {changing.Latency.PercentileMs(99):F2} ms, errors {changing.Errors}; {changing.Costs}",
            RequestsPerOperation: changing.StorageRequestsPerOperation));

        // The next scenarios measure not-modified check-ins: give every device its reported facts back.
        await Load.TouchAllAsync(_devices.Count, profile.Workers, i => NotModifiedCheckIn(0, i));
    }

    private async Task MemoryAndGrowthAsync()
    {
        var before = Heap();
        await SeedAsync(profile.GrowthSmall);
        var atSmall = Heap();
        var firstStep = (atSmall - before) / (double)(profile.GrowthSmall - _devices.Count);

        var small = await Load.RunAsync(profile.Workers, profile.Measure, NotModifiedCheckIn);
        await SeedAsync(profile.GrowthLarge);
        // The step from the small to the large tenant is the per-device cost; the first step also
        // carries one-off growth (pools, caches, the index partitions' first rows).
        var perDevice = (Heap() - atSmall) / (double)(profile.GrowthLarge - profile.GrowthSmall);
        report.Add(new Figure("Memory", $"managed heap per active device (Device grains activated with state: {profile.GrowthSmall:N0} → {profile.GrowthLarge:N0}, after full GC)", perDevice / 1024, "KiB",
            Target: "≤ 4 KiB", TargetMet: perDevice <= 4096,
            Notes: $"the first {profile.GrowthSmall - _devices.Count:N0} cost {firstStep / 1024:F2} KiB each, one-off growth included"));
        var large = await Load.RunAsync(profile.Workers, profile.Measure, NotModifiedCheckIn);
        report.Add(new Figure("Growth", $"not-modified check-ins with {profile.GrowthSmall:N0} devices in the tenant", small.PerSecond, "/s",
            Notes: $"p99 {small.Latency.PercentileMs(99):F2} ms; {small.Costs}", RequestsPerOperation: small.StorageRequestsPerOperation));
        report.Add(new Figure("Growth", $"not-modified check-ins with {profile.GrowthLarge:N0} devices in the tenant", large.PerSecond, "/s",
            Notes: $"p99 {large.Latency.PercentileMs(99):F2} ms; {large.Costs}", RequestsPerOperation: large.StorageRequestsPerOperation));
        var p99Ratio = large.Latency.PercentileMs(99) / small.Latency.PercentileMs(99);
        report.Add(new Figure("Growth", $"p99 ratio {profile.GrowthLarge:N0} / {profile.GrowthSmall:N0} devices", p99Ratio, "×",
            Target: "≤ 1.2", TargetMet: p99Ratio <= 1.2,
            Notes: $"throughput ratio {small.PerSecond / large.PerSecond:F2}×"));
    }

    private async Task AdminQueriesAsync()
    {
        var token = _host.AdminToken(_tenantId, "Read Only Operator");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_host.AdminPort}/v1.0/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        const string Query = "deviceManagement/managedDevices?$top=100&$filter=operatingSystem%20eq%20%27Windows%27";
        using (var probe = await http.GetAsync(Query))
        {
            if (!probe.IsSuccessStatusCode)
            {
                report.Add(new Figure("Admin queries", "Graph page of 100 with $filter", double.NaN, "ms", Notes: $"not measured: the query answered {(int)probe.StatusCode}"));
                return;
            }
        }

        // The same first page again and again: what a console refreshing its list asks; the
        // silo's view cache serves the full views after the first time.
        var repeated = new Latency();
        var repeatedWindow = Load.Window.Start();
        for (var i = 0; i < profile.AdminQueries; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(Query);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
            repeated.Add(Stopwatch.GetTimestamp() - started);
        }

        // Walking the list page by page through @odata.nextLink: every page is new to the cache,
        // so its 100 full views are read from storage.
        var repeatedCosts = repeatedWindow.End(repeated.Count, 1, repeated, 0);
        var walking = new Latency();
        var walkingWindow = Load.Window.Start();
        string? next = Query;
        for (var i = 0; i < profile.AdminQueries && next is not null; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(next);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsByteArrayAsync();
            walking.Add(Stopwatch.GetTimestamp() - started);
            using var page = System.Text.Json.JsonDocument.Parse(body);
            next = page.RootElement.TryGetProperty("@odata.nextLink", out var link) ? link.GetString() : null;
        }

        var walkingCosts = walkingWindow.End(walking.Count, 1, walking, 0);
        report.Add(new Figure("Admin queries", $"Graph managedDevices page of 100, $filter=operatingSystem eq 'Windows', {_seeded:N0} devices, the same page repeated ({repeated.Count}×), p50", repeated.PercentileMs(50), "ms",
            RequestsPerOperation: repeatedCosts.StorageRequestsPerOperation));
        report.Add(new Figure("Admin queries", "same, p99", repeated.PercentileMs(99), "ms", Target: "≤ 50 ms", TargetMet: repeated.PercentileMs(99) <= 50));
        report.Add(new Figure("Admin queries", $"walking the pages through @odata.nextLink ({walking.Count} pages, each new to the view cache), p50", walking.PercentileMs(50), "ms",
            Target: "≤ 16 storage requests per page", TargetMet: walkingCosts.StorageRequestsPerOperation <= 16, RequestsPerOperation: walkingCosts.StorageRequestsPerOperation));
        report.Add(new Figure("Admin queries", "same, p99", walking.PercentileMs(99), "ms", Target: "≤ 50 ms", TargetMet: walking.PercentileMs(99) <= 50));
    }

    /// <summary>
    /// Adds devices straight through the Device grains (CSR signing and durable writes included,
    /// the gateway and token check skipped) until the tenant has <paramref name="total"/>.
    /// </summary>
    private async Task SeedAsync(int total)
    {
        var count = total - _seeded;
        if (count <= 0)
        {
            return;
        }

        Console.WriteLine($"Seeding {count:N0} devices (tenant total {total:N0})…");
        var csr = _seedIdentities.SigningRequest;
        var platforms = new[] { DevicePlatform.Windows, DevicePlatform.IOS, DevicePlatform.Android, DevicePlatform.MacOS };
        var stopwatch = Stopwatch.StartNew();
        var window = Load.Window.Start();
        var progress = 0;
        await Parallel.ForEachAsync(Enumerable.Range(_seeded, count), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            var platform = platforms[i % platforms.Length];
            var enrollment = new DeviceEnrollment(platform, "1.0", $"seed-{i}", new HardwareIdentifiers($"SEED{i:D8}", null, null, null, null, null),
                $"user{i % 5000}@contoso.example", DeviceOwnership.Company, csr, "Seed", "Contoso");
            var deviceId = Guid.NewGuid();
            var result = await _host.Grains.GetGrain<IDeviceGrain>(GrainKeys.Scoped(_tenantId, deviceId.ToString())).EnrollAsync(enrollment);
            _seedIdentities.Keep(i - _devices.Count, deviceId, platform, result);
            var done = Interlocked.Increment(ref progress);
            if (done % 2_000 == 0)
            {
                Console.WriteLine($"  {done:N0} seeded, {done / stopwatch.Elapsed.TotalSeconds:F0}/s");
            }
        });
        _seeded = total;
        var costs = window.End(count, stopwatch.Elapsed.TotalSeconds, new Latency(), 0);
        report.Add(new Figure("Seeding", $"devices enrolled through Device grains ({count:N0})", count / stopwatch.Elapsed.TotalSeconds, "/s",
            Notes: $"grain-side enrollment: sign + state write + catalog write; {costs.Costs}", RequestsPerOperation: costs.StorageRequestsPerOperation));
    }

    private Task NotModifiedCheckIn(int worker, long iteration)
    {
        var (device, client) = Pick(worker, iteration);
        return client.CheckInAsync(new CheckInRequest { Facts = device.Profile.Facts(), AssignmentEtag = device.AssignmentEtag }).ResponseAsync;
    }

    private (SimulatedDevice Device, DeviceService.DeviceServiceClient Client) Pick(int worker, long iteration) =>
        _devices[(int)((worker + (iteration * profile.Workers)) % _devices.Count)];

    /// <param name="allowTlsResume">False forces a full handshake even where the client holds a session for the server.</param>
    private static GrpcChannel Channel(Uri address, SimulatedDevice device, bool allowTlsResume = true)
    {
        var authority = device.CertificateAuthority!;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                AllowTlsResume = allowTlsResume,
                ClientCertificates = new X509CertificateCollection { device.Certificate! },
                RemoteCertificateValidationCallback = ConnectedDevice.PinnedTo(authority),
            },
        };
        // The channel owns its handler: without DisposeHttpClient a disposed channel leaves its
        // connection open, and the new-connection-per-call rungs piled up open connections.
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    private static byte[] NewCsr()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest("CN=bench", key, HashAlgorithmName.SHA256).CreateSigningRequest();
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

}
