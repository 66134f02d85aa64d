using Azure.Data.Tables;
using Intune.AdminGateway.Auth;
using Intune.ClusterConfig;
using Intune.Routing;

namespace Intune.Ops.Tests.Moves;

/// <summary>Two running units of one region (na-01, na-02; own accounts) and eu-01 in the topology only.</summary>
public sealed class MoveUnits : IAsyncLifetime
{
    public ScaleUnitTestHost Na1 { get; } = new(ScaleUnitTestHost.NewUnit("na-01", "na", account: "na01"));

    public ScaleUnitTestHost Na2 { get; } = new(ScaleUnitTestHost.NewUnit("na-02", "na", account: "na02"));

    public ScaleUnitOptions Eu { get; } = ScaleUnitTestHost.NewUnit("eu-01", "eu", account: "eu01");

    public TenantDirectoryOptions DirectoryOptions { get; } = new()
    {
        StorageConnectionString = TestStorage.ConnectionStringFor("directory"),
        TableName = "directory" + TestStorage.UniquePrefix(),
        // Gateways here read move marks on every call (no cache), so a move need not wait them out.
        MoveDrainSeconds = 0,
    };

    public ITenantDirectory Directory => new TableTenantDirectory(new TableClient(DirectoryOptions.StorageConnectionString, DirectoryOptions.TableName));

    public OpsEnvironment Ops { get; private set; } = null!;

    public ScaleUnitTestHost Host(string unitId) => unitId == "na-01" ? Na1 : Na2;

    public async Task InitializeAsync()
    {
        foreach (var host in new[] { Na1, Na2 })
        {
            host.Settings["TenantMoves:CacheSeconds"] = "0";
        }

        await Task.WhenAll(Na1.StartAsync(), Na2.StartAsync());
        // Where a move sends devices that still call the unit their tenant left.
        Na1.Unit.DeviceEndpoint = Na1.DeviceGateway.ToString();
        Na2.Unit.DeviceEndpoint = Na2.DeviceGateway.ToString();
        var auth = Na1.Services.GetRequiredService<AdminAuthOptions>();
        Ops = new OpsEnvironment(new Topology([Na1.Unit, Na2.Unit, Eu], DirectoryOptions), auth, auth.ResolveSigningKey(AppContext.BaseDirectory));
    }

    public async Task DisposeAsync()
    {
        await Ops.DisposeAsync();
        await Task.WhenAll(Na1.StopAsync(), Na2.StopAsync());
    }

    /// <summary>
    /// Deactivates every idle grain of both units, which makes them write what they coalesce on
    /// timers (the tenant summary, policy reports). Tests call it before reading a snapshot or
    /// moving, so a flush due seconds later cannot change the source under the copy; production
    /// moves wait such flushes out with <c>MoveDrainSeconds</c>, which these tests set to 0.
    /// </summary>
    public Task QuiesceAsync() => Task.WhenAll(new[] { Na1, Na2 }.Select(h => h.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero)));

    public async Task<(int ExitCode, string Output, string Error)> OpsAsync(params string[] args)
    {
        if (args is ["tenant", "move", ..])
        {
            await QuiesceAsync();
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await OpsCli.RunAsync(args, output, error, Ops);
        return (exit, output.ToString(), error.ToString());
    }
}
