using System.Diagnostics;

namespace Intune.Ops.Tests.ScaleUnits;

/// <summary><c>scale-unit up|down</c>: real silo processes joining and leaving a running unit.</summary>
public sealed class LocalSiloTests
{
    [Fact]
    public async Task UpThenDown_OneSiloProcess_JoinsTheRunningUnitThenStops()
    {
        var unit = ScaleUnitTestHost.NewUnit("na-01", "na", account: "na01");
        await using var running = new ScaleUnitTestHost(unit);
        await running.StartAsync();
        var root = RepositoryRoot();
        var auth = running.Services.GetRequiredService<Intune.AdminGateway.Auth.AdminAuthOptions>();
        await using var env = new OpsEnvironment(
            new Intune.ClusterConfig.Topology([unit], new() { StorageConnectionString = TestStorage.ConnectionStringFor("directory"), TableName = "directory" + TestStorage.UniquePrefix() }),
            auth, signingKey: null, repositoryRoot: root);
        using var output = new StringWriter();
        using var error = new StringWriter();

        int up, down;
        IDictionary<SiloAddress, SiloStatus> hosts;
        try
        {
            up = await OpsCli.RunAsync(["scale-unit", "up", "na-01", "--silos", "1"], output, error, env);
            Assert.True(up == 0, error.ToString() + output);
            hosts = await running.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        }
        finally
        {
            // Stops whatever 'up' started, also when an assertion above failed.
            down = await OpsCli.RunAsync(["scale-unit", "down", "na-01"], output, error, env);
        }

        var pidFile = Path.Combine(root, ".data", "units", "na-01", "silo-0.pid");
        Assert.Contains("2 silo(s) active", output.ToString());
        Assert.Contains("silo 0 (pid", output.ToString());
        Assert.Equal(2, hosts.Count);
        Assert.Equal(0, down);
        Assert.False(File.Exists(pidFile));
        var pid = int.Parse(System.Text.RegularExpressions.Regex.Match(output.ToString(), @"silo 0 \(pid (\d+)\) stopped").Groups[1].Value);
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Intune.Cluster.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The tests run outside the repository.");
    }
}
