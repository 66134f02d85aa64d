using Azure.Data.Tables;
using Intune.AdminGateway.Auth;
using Intune.ClusterConfig;
using Intune.Ops;
using Intune.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Intune.Testing;

/// <summary>
/// The local topology in miniature: na-01 and eu-01 as two isolated clusters, each on its own
/// Azurite account, and the tenant directory on a third account (a table of its own per test class).
/// </summary>
public sealed class TwoUnits : IAsyncLifetime
{
    public ScaleUnitTestHost Na { get; } = new(ScaleUnitTestHost.NewUnit("na-01", "na", account: "na01"));

    public ScaleUnitTestHost Eu { get; } = new(ScaleUnitTestHost.NewUnit("eu-01", "eu", account: "eu01"));

    public TenantDirectoryOptions DirectoryOptions { get; } = new()
    {
        StorageConnectionString = TestStorage.ConnectionStringFor("directory"),
        TableName = "directory" + TestStorage.UniquePrefix(),
        CacheSeconds = 30,
    };

    public Topology Topology => new([Na.Unit, Eu.Unit], DirectoryOptions);

    public ITenantDirectory Directory => new TableTenantDirectory(new TableClient(DirectoryOptions.StorageConnectionString, DirectoryOptions.TableName));

    public OpsEnvironment Ops { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Na.StartAsync(), Eu.StartAsync());
        var auth = Na.Services.GetRequiredService<AdminAuthOptions>();
        Ops = new OpsEnvironment(Topology, auth, auth.ResolveSigningKey(AppContext.BaseDirectory));
    }

    public async Task DisposeAsync()
    {
        await Ops.DisposeAsync();
        await Task.WhenAll(Na.StopAsync(), Eu.StopAsync());
    }

    public ScaleUnitTestHost Host(string unitId) => unitId == "na-01" ? Na : Eu;

    /// <summary>Runs an <c>intune-ops</c> command in this process; returns its exit code and what it printed.</summary>
    public async Task<(int ExitCode, string Output, string Error)> OpsAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await OpsCli.RunAsync(args, output, error, Ops);
        return (exit, output.ToString(), error.ToString());
    }
}
