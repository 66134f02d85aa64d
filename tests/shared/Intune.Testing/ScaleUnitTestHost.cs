using System.Net.Http.Headers;
using Azure.Data.Tables;
using Intune.AdminGateway.Auth;
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
    private WebApplication? _app;

    public ScaleUnitTestHost(string? storagePrefix = null)
    {
        StoragePrefix = storagePrefix ?? TestStorage.UniquePrefix();
    }

    public string StoragePrefix { get; }

    /// <summary>Configuration added over the defaults at the next start (e.g. tighter rate limits).</summary>
    public Dictionary<string, string?> Settings { get; } = new();

    public int AdminPort { get; private set; }

    public int DevicePort { get; private set; }

    /// <summary>The admin gateway's gRPC (h2c) port.</summary>
    public int AdminGrpcPort { get; private set; }

    public Uri DeviceGateway => new($"https://127.0.0.1:{DevicePort}");

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The scale unit is not running.");

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    public TableServiceClient Tables => new(TestStorage.ConnectionString);

    public async Task StartAsync()
    {
        AdminPort = TestStorage.FreeTcpPort();
        DevicePort = TestStorage.FreeTcpPort();
        AdminGrpcPort = TestStorage.FreeTcpPort();
        var settings = new Dictionary<string, string?>
        {
            ["ScaleUnit:Id"] = "na-01",
            ["ScaleUnit:Region"] = "na",
            ["ScaleUnit:ClusterId"] = $"test-{StoragePrefix}",
            ["ScaleUnit:ServiceId"] = $"intune-{StoragePrefix}",
            ["ScaleUnit:StorageConnectionString"] = TestStorage.ConnectionString,
            ["ScaleUnit:StoragePrefix"] = StoragePrefix,
            ["ScaleUnit:SiloPort"] = TestStorage.FreeTcpPort().ToString(),
            ["ScaleUnit:GatewayPort"] = TestStorage.FreeTcpPort().ToString(),
            ["Gateways:AdminPort"] = AdminPort.ToString(),
            ["Gateways:DevicePort"] = DevicePort.ToString(),
            ["Gateways:AdminGrpcPort"] = AdminGrpcPort.ToString(),
            ["LocalTenant:Id"] = string.Empty,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }

        _app = ScaleUnitHost.Create([], builder => builder.Configuration.AddInMemoryCollection(settings));
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
        await tenant.CreateAsync(name, "na");
        var token = await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(1), null);
        return (tenantId, token.Token!);
    }

    public SimulatedDevice NewDevice(Platform platform = Platform.Windows, int index = 0) =>
        new(DeviceGateway, DeviceProfile.Create(platform, index, noncompliant: false, new Random(index)));

    public string AdminToken(string tenantId, params string[] roles) =>
        Services.GetRequiredService<AdminTokenIssuer>().Issue(tenantId, roles.Length == 0 ? ["Intune Administrator"] : roles, "admin@contoso.example", TimeSpan.FromHours(1));

    public HttpClient AdminClient(string? bearerToken)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{AdminPort}/v1.0/") };
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
