using System.Net.Http.Headers;
using Azure.Data.Tables;
using Intune.AdminGateway.Auth;
using Intune.ClusterConfig;
using Intune.Device.V1;
using Intune.DeviceSim;
using Intune.Grains.Tenants;
using Intune.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Intune.Testing;

/// <summary>
/// A whole scale unit in this process, as <c>./build.sh --target=Run</c> starts it, on free
/// loopback ports and on the build's Azurite under a storage prefix of its own. Stopping and
/// starting again on the same prefix is a full restart on the same storage.
/// </summary>
public sealed class ScaleUnitTestHost : IAsyncDisposable
{
    private readonly bool _gateways;
    private WebApplication? _app;

    public ScaleUnitTestHost(string? storagePrefix = null)
    {
        StoragePrefix = storagePrefix ?? TestStorage.UniquePrefix();
        Unit = NewUnit("na-01", "na", StoragePrefix, TestStorage.ConnectionString);
        _gateways = true;
    }

    /// <summary>
    /// One silo of the scale unit <paramref name="unit"/> (see <see cref="NewUnit"/>); several
    /// hosts given the same unit are several silos of one cluster, each on its own ports.
    /// </summary>
    public ScaleUnitTestHost(ScaleUnitOptions unit, bool gateways = true)
    {
        Unit = unit;
        StoragePrefix = unit.StoragePrefix;
        _gateways = gateways;
    }

    /// <summary>A scale unit on the test Azurite: its own account (na01, eu01, …), prefix, ClusterId and ServiceId.</summary>
    public static ScaleUnitOptions NewUnit(string id, string region, string? storagePrefix = null, string? connectionString = null, string? account = null)
    {
        var prefix = storagePrefix ?? TestStorage.UniquePrefix();
        return new ScaleUnitOptions
        {
            Id = id,
            Region = region,
            ClusterId = $"test-{id}-{prefix}",
            ServiceId = $"intune-{id}-{prefix}",
            StorageConnectionString = connectionString ?? TestStorage.ConnectionStringFor(account ?? id.Replace("-", string.Empty, StringComparison.Ordinal)),
            StoragePrefix = prefix,
            SiloPort = TestStorage.FreeTcpPort(),
            GatewayPort = TestStorage.FreeTcpPort(),
            CapacityDevices = 100_000,
        };
    }

    /// <summary>The unit this host is a silo of.</summary>
    public ScaleUnitOptions Unit { get; }

    public string StoragePrefix { get; }

    /// <summary>Configuration added over the defaults at the next start (e.g. tighter rate limits).</summary>
    public Dictionary<string, string?> Settings { get; } = new();

    /// <summary>The host environment; Development as the local Run, anything else is production mode.</summary>
    public string Environment { get; set; } = "Development";

    /// <summary>The clock of the silo and its gateways (e.g. a FakeTimeProvider); null keeps the system clock.</summary>
    public TimeProvider? Time { get; set; }

    /// <summary>Run on the built host before it starts, e.g. to map endpoints of a benchmark's own.</summary>
    public Action<WebApplication>? BeforeStart { get; set; }

    /// <summary>Runs after the unit registered its services, to replace one (a fault injected behind the real pipeline).</summary>
    public Action<IServiceCollection>? ReplaceServices { get; set; }

    public int AdminPort { get; private set; }

    public int DevicePort { get; private set; }

    /// <summary>The admin gateway's gRPC (h2c) port.</summary>
    public int AdminGrpcPort { get; private set; }

    public Uri DeviceGateway => new($"https://127.0.0.1:{DevicePort}");

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The scale unit is not running.");

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    public TableServiceClient Tables => new(Unit.StorageConnectionString);

    public async Task StartAsync()
    {
        AdminPort = TestStorage.FreeTcpPort();
        DevicePort = TestStorage.FreeTcpPort();
        AdminGrpcPort = TestStorage.FreeTcpPort();
        var settings = new Dictionary<string, string?>
        {
            ["ScaleUnit:Id"] = Unit.Id,
            ["ScaleUnit:Region"] = Unit.Region,
            ["ScaleUnit:ClusterId"] = Unit.ClusterId,
            ["ScaleUnit:ServiceId"] = Unit.ServiceId,
            ["ScaleUnit:StorageConnectionString"] = Unit.StorageConnectionString,
            ["ScaleUnit:StoragePrefix"] = StoragePrefix,
            // Fresh ports on every start: several silos of one unit, and restarts, never collide.
            ["ScaleUnit:SiloPort"] = TestStorage.FreeTcpPort().ToString(),
            ["ScaleUnit:GatewayPort"] = TestStorage.FreeTcpPort().ToString(),
            ["ScaleUnit:CapacityDevices"] = Unit.CapacityDevices.ToString(),
            ["Hosting:Gateways"] = _gateways.ToString(),
            ["Gateways:AdminPort"] = AdminPort.ToString(),
            ["Gateways:DevicePort"] = DevicePort.ToString(),
            ["Gateways:AdminGrpcPort"] = AdminGrpcPort.ToString(),
            ["LocalTenant:Id"] = string.Empty,
            ["Logging:LogLevel:Default"] = "Warning",
            ["ScaleUnit:ClusterAddress"] = Unit.ClusterAddress,
        };
        if (Unit.ClusterTls is { } clusterTls)
        {
            settings["ScaleUnit:ClusterTls"] = clusterTls.ToString();
        }

        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }

        // Development, as the local Run, unless a test asks for production mode, which refuses the development signing key.
        _app = ScaleUnitHost.Create(["--environment", Environment], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            if (Time is { } time)
            {
                builder.Services.AddSingleton(time);
            }
        }, ReplaceServices);
        BeforeStart?.Invoke(_app);
        await _app.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public async Task<(string TenantId, string EnrollmentToken)> CreateTenantAsync(string name = "Contoso")
    {
        var tenantId = Guid.NewGuid().ToString();
        var tenant = Grains.GetGrain<ITenantGrain>(tenantId);
        await tenant.CreateAsync(name, Unit.Region);
        var token = await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(1), null);
        return (tenantId, token.Token!);
    }

    public SimulatedDevice NewDevice(Platform platform = Platform.Windows, int index = 0) =>
        new(DeviceGateway, DeviceProfile.Create(platform, index, noncompliant: false, new Random(index)));

    public string AdminToken(string tenantId, params string[] roles) =>
        Services.GetRequiredService<AdminTokenIssuer>().Issue(tenantId, roles.Length == 0 ? ["Intune Administrator"] : roles, "admin@contoso.example", TimeSpan.FromHours(1));

    /// <param name="version">The Graph root: <c>v1.0</c> or <c>beta</c>.</param>
    public HttpClient AdminClient(string? bearerToken, string version = "v1.0")
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{AdminPort}/{version}/") };
        if (bearerToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        return client;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}

/// <summary>One running scale unit per test class (its own storage prefix).</summary>
public sealed class ScaleUnitFixture : IAsyncLifetime
{
    public ScaleUnitTestHost Host { get; } = new();

    public Task InitializeAsync() => Host.StartAsync();

    public Task DisposeAsync() => Host.StopAsync();
}
