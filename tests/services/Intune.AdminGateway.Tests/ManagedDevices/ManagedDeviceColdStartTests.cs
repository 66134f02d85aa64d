using System.Diagnostics;
using Intune.Grains.Devices;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;
using Xunit.Abstractions;

namespace Intune.AdminGateway.Tests.ManagedDevices;

/// <summary>
/// The first listing after a silo restart at tenant scale: <see cref="DeviceCount"/> catalog rows
/// written in batch transactions, the scale unit restarted so every index partition loads from
/// storage on the listing's call, then a filtered, counted, ordered page and its next pages read
/// through the real Graph SDK. Once answered 500 (the partitions' load outlived the call timeout).
/// </summary>
public sealed class ManagedDeviceColdStartTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>
    /// 40,000 by default to keep the test near a minute on 2 shared cores: seeding runs at ~1,300
    /// rows/s on Azurite (100k: 70–77 s) and Azurite scans the whole table for each 1,000-row page of
    /// a partition load (100k cold load: 26–28 s). Set <c>INTUNE_COLDSTART_DEVICES=100000</c> to run
    /// it at the size (passes: ~2.5 min); <c>./build.sh --target=Chaos</c> does.
    /// </summary>
    public static readonly int DeviceCount =
        int.TryParse(Environment.GetEnvironmentVariable("INTUNE_COLDSTART_DEVICES"), System.Globalization.CultureInfo.InvariantCulture, out var configured) && configured > 0 ? configured : 40_000;

    private readonly ScaleUnitTestHost _host = new();
    private readonly string _tenantId = Guid.NewGuid().ToString();

    public Task InitializeAsync() => _host.StartAsync();

    public Task DisposeAsync() => _host.StopAsync();

    [Fact]
    public async Task List_FirstPagesAfterRestart_AreCountedOrderedAndPaged()
    {
        var clock = Stopwatch.StartNew();
        var devices = await _host.SeedAsync(_tenantId, DeviceCount);
        output.WriteLine($"seeded {DeviceCount} rows in {clock.ElapsedMilliseconds} ms");
        await _host.StopAsync();
        await _host.StartAsync();
        var expected = devices
            .Where(d => d.Platform == DevicePlatform.Windows && d.ComplianceState != ComplianceState.Compliant)
            .OrderByDescending(d => d.LastSyncDateTime).ThenByDescending(d => d.Id, StringComparer.Ordinal)
            .ToList();
        var graph = new GraphServiceClient(
            new BaseBearerTokenAuthenticationProvider(new StaticToken(_host.AdminToken(_tenantId, "Read Only Operator"))),
            $"http://127.0.0.1:{_host.AdminPort}/v1.0");

        clock.Restart();
        var page = await graph.DeviceManagement.ManagedDevices.GetAsync(request =>
        {
            request.QueryParameters.Filter = "operatingSystem eq 'Windows' and complianceState ne 'compliant'";
            request.QueryParameters.Orderby = ["lastSyncDateTime desc"];
            request.QueryParameters.Select = ["id", "deviceName", "lastSyncDateTime", "complianceState"];
            request.QueryParameters.Top = 100;
            request.QueryParameters.Count = true;
        });
        output.WriteLine($"first page after restart in {clock.ElapsedMilliseconds} ms");

        var seen = new List<Microsoft.Graph.Models.ManagedDevice>();
        for (var pages = 1; ; pages++)
        {
            Assert.Equal(expected.Count, page!.OdataCount);
            Assert.Equal(100, page.Value!.Count);
            seen.AddRange(page.Value);
            if (pages == 4)
            {
                break;
            }

            Assert.StartsWith($"http://127.0.0.1:{_host.AdminPort}/v1.0/deviceManagement/managedDevices?", page.OdataNextLink);
            Assert.Contains("$skiptoken=", page.OdataNextLink);
            page = await graph.DeviceManagement.ManagedDevices.WithUrl(page.OdataNextLink!).GetAsync();
        }

        Assert.Equal(expected.Take(400).Select(d => d.Id), seen.Select(d => d.Id));
        Assert.Equal(expected.Take(400).Select(d => (DateTimeOffset?)d.LastSyncDateTime), seen.Select(d => d.LastSyncDateTime));
        Assert.All(seen, d => Assert.NotEqual(Microsoft.Graph.Models.ComplianceState.Compliant, d.ComplianceState));
        Assert.All(seen, d => Assert.Null(d.OperatingSystem));
    }

    private sealed class StaticToken(string token) : IAccessTokenProvider
    {
        public AllowedHostsValidator AllowedHostsValidator { get; } = new();

        public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(token);
    }
}
