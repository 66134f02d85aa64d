using System.Text.Json.Nodes;
using Intune.ClusterConfig;
using Intune.CommandLine;

namespace Intune.Ops.Tests;

/// <summary>The CLI reads the topology file's sections through the same validators as the hosts.</summary>
public sealed class OpsEnvironmentTests
{
    [Theory]
    [InlineData("AdminAuth", "SigningKey", "c2hvcnQ=", "AdminAuth:SigningKey")]
    [InlineData("AdminAuth", "Authority", "http://login.example", "AdminAuth:Authority")]
    [InlineData("Backup", "KeepCount", "0", "Backup:KeepCount 0")]
    public async Task AnyVerb_TopologyWithABadField_IsAUsageErrorNamingTheField(string section, string field, string value, string expected)
    {
        var file = TopologyWith(section, field, value);
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();

            var exit = await OpsCli.RunAsync(["tenant", "list", "--topology", file], output, error, environment: null);

            Assert.Equal(ExitCodes.Usage, exit);
            Assert.Contains($"error: {expected}", error.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The local topology with one field changed, its file paths made absolute so it works from a temporary folder.</summary>
    private static string TopologyWith(string section, string field, string value)
    {
        var local = ClusterConfigFile.Locate("cluster-config/local/topology.json");
        var topology = JsonNode.Parse(File.ReadAllText(local))!;
        var units = topology["Topology"]!["ScaleUnits"]!.AsArray();
        for (var i = 0; i < units.Count; i++)
        {
            units[i] = ClusterConfigFile.Locate((string)units[i]!);
        }

        topology["Topology"]!["Directory"] = ClusterConfigFile.Locate((string)topology["Topology"]!["Directory"]!);
        topology[section] ??= new JsonObject();
        topology[section]![field] = value;
        var file = Path.Combine(Path.GetTempPath(), $"topology-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, topology.ToJsonString());
        return file;
    }
}
