using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using Intune.Device.V1;

namespace Intune.DeviceGateway.Tests;

/// <summary>
/// Storage requests and the product's counters are process-wide (one meter per process), so
/// these tests run alone: no other test's scale unit may write while they count.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Process-wide metrics";
}

/// <summary><c>/metrics</c> of a whole scale unit, scraped as Prometheus does, over real Kestrel and Azurite.</summary>
[Collection(MetricsCollection.Name)]
public sealed class MetricsEndpointTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private ScaleUnitTestHost Host => fixture.Host;

    [Fact]
    public async Task Metrics_AfterCheckIns_CountCheckInsEnrollmentsAndStorageRequests()
    {
        var (_, token) = await Host.CreateTenantAsync();
        using var device = Host.NewDevice(Platform.Android);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Host.AdminPort}") };
        var before = await ScrapeAsync(http);

        await device.EnrollAsync(token);
        await device.CheckInAsync();
        var notModified = await device.CheckInAsync();
        var after = await ScrapeAsync(http);

        Assert.True(notModified.NotModified);
        Assert.Equal(1, Sum(after, "intune_device_enrollments_total", "result=\"Enrolled\"", "platform=\"Android\"") - Sum(before, "intune_device_enrollments_total", "result=\"Enrolled\"", "platform=\"Android\""));
        Assert.True(Sum(after, "intune_device_checkins_total", "result=\"not_modified\"", "platform=\"android\"") - Sum(before, "intune_device_checkins_total", "result=\"not_modified\"", "platform=\"android\"") >= 1);
        Assert.True(Sum(after, "intune_storage_requests_total", "store=\"grainstate\"", "operation=\"write\"") > Sum(before, "intune_storage_requests_total", "store=\"grainstate\"", "operation=\"write\""));
        // Orleans', ASP.NET Core's and the runtime's meters are there too.
        Assert.Contains(after.Keys, k => k.StartsWith("orleans_", StringComparison.Ordinal));
        Assert.Contains(after.Keys, k => k.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal));
        Assert.Contains(after.Keys, k => k.StartsWith("dotnet_gc_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NotModifiedCheckIn_SendsNoStorageRequest()
    {
        var (_, token) = await Host.CreateTenantAsync();
        using var device = Host.NewDevice(Platform.Windows);
        await device.EnrollAsync(token);
        await device.CheckInAsync();
        using var counted = new StorageRequests(Host.Unit.Id);

        var response = await device.CheckInAsync();
        var duringNotModified = counted.Seen.ToList();
        var facts = device.Profile.Facts();
        facts.FreeStorageBytes += 1;
        await device.CreateClient(device.Certificate, device.CertificateAuthority).CheckInAsync(new CheckInRequest { Facts = facts, AssignmentEtag = device.AssignmentEtag });

        Assert.True(response.NotModified);
        Assert.Empty(duringNotModified);
        // The same listener sees the state-changing check-in's write: the silence above is real.
        Assert.Contains("grainstate write", counted.Seen);
    }

    [Fact]
    public async Task Metrics_OnTheDevicePort_AreNotServed()
    {
        var (_, token) = await Host.CreateTenantAsync();
        using var device = Host.NewDevice();
        await device.EnrollAsync(token);
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [device.Certificate!],
                // Only the answer matters here, not who the server is.
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
        };
        using var http = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var response = await http.GetAsync($"https://127.0.0.1:{Host.DevicePort}/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ManyCallsOnOneNewConnection_AllAuthenticated()
    {
        var (_, token) = await Host.CreateTenantAsync();
        using var device = Host.NewDevice(Platform.Ios);
        await device.EnrollAsync(token);
        await device.CheckInAsync();
        // A fresh connection whose first calls race for its one certificate validation.
        var client = device.CreateClient(device.Certificate, device.CertificateAuthority);

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            client.CheckInAsync(new CheckInRequest { Facts = device.Profile.Facts(), AssignmentEtag = device.AssignmentEtag }).ResponseAsync));

        Assert.All(responses, r => Assert.True(r.NotModified));
    }

    /// <summary>Every sample of the scrape by its line's name and labels.</summary>
    private static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            // name{labels} value [timestamp]; label values here hold no spaces.
            var end = line.IndexOf('}') is var brace and >= 0 ? brace + 1 : line.IndexOf(' ');
            var value = line[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            samples[line[..end]] = double.Parse(value, CultureInfo.InvariantCulture);
        }

        return samples;
    }

    private static double Sum(Dictionary<string, double> samples, string name, params string[] labels) =>
        samples.Where(s => s.Key.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(l => s.Key.Contains(l, StringComparison.Ordinal)))
            .Sum(s => s.Value);

    /// <summary>
    /// The unit's storage requests while it lives, as the counting policy reports them, except
    /// the silo's own background traffic (membership heartbeats, reminders).
    /// </summary>
    private sealed class StorageRequests : IDisposable
    {
        private readonly MeterListener _listener = new();

        public StorageRequests(string scaleUnitId)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "intune.storage.requests")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                string? unit = null, store = null, operation = null;
                foreach (var tag in tags)
                {
                    switch (tag.Key)
                    {
                        case "scale_unit": unit = tag.Value as string; break;
                        case "store": store = tag.Value as string; break;
                        case "operation": operation = tag.Value as string; break;
                    }
                }

                if (unit == scaleUnitId && store is not ("membership" or "reminders"))
                {
                    lock (Seen)
                    {
                        Seen.Add($"{store} {operation}");
                    }
                }
            });
            _listener.Start();
        }

        public List<string> Seen { get; } = [];

        public void Dispose() => _listener.Dispose();
    }
}
