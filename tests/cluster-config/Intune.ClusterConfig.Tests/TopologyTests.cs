using Intune.ClusterConfig;
using Intune.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Intune.ClusterConfig.Tests;

/// <summary>The cluster-config files: the shipped local topology is valid, and bad fields are named at start.</summary>
public sealed class TopologyTests
{
    [Fact]
    public void Load_LocalTopology_HasTwoIsolatedUnitsAndADirectoryOfItsOwn()
    {
        var topology = Topology.Load("cluster-config/local/topology.json", ClusterConfigFile.Locate);

        Assert.Equal(["na-01", "eu-01"], topology.ScaleUnits.Select(u => u.Id));
        Assert.Equal(["na", "eu"], topology.ScaleUnits.Select(u => u.Region));
        Assert.Equal(2, topology.ScaleUnits.Select(u => u.ServiceId).Distinct().Count());
        Assert.Equal(2, topology.ScaleUnits.Select(u => u.ClusterId).Distinct().Count());
        Assert.Contains("AccountName=na01;", topology.ScaleUnits[0].StorageConnectionString);
        Assert.Contains("AccountName=eu01;", topology.ScaleUnits[1].StorageConnectionString);
        Assert.Contains("AccountName=directory;", topology.Directory.StorageConnectionString);
    }

    [Fact]
    public void Validate_TwoUnitsShareServiceIdAndPort_NamesBothFieldsAndUnits()
    {
        var na = Unit("na-01", "na");
        var eu = Unit("eu-01", "eu");
        eu.ServiceId = na.ServiceId;
        eu.SiloPort = na.GatewayPort;
        var topology = new Topology([na, eu], new TenantDirectoryOptions { StorageConnectionString = "UseDevelopmentStorage=true;dir" });

        var error = Assert.Throws<OptionsValidationException>(topology.Validate);

        Assert.Contains(error.Failures, f => f.Contains("ScaleUnit:ServiceId") && f.Contains("'na-01'") && f.Contains("'eu-01'"));
        Assert.Contains(error.Failures, f => f.Contains($"Port {na.GatewayPort}") && f.Contains("ScaleUnit:SiloPort") && f.Contains("ScaleUnit:GatewayPort"));
    }

    [Fact]
    public void Validate_DirectoryOnAUnitsAccount_IsRefused()
    {
        var na = Unit("na-01", "na");
        var topology = new Topology([na], new TenantDirectoryOptions { StorageConnectionString = na.StorageConnectionString, TableName = "x" });

        var error = Assert.Throws<OptionsValidationException>(topology.Validate);

        Assert.Contains(error.Failures, f => f.StartsWith("TenantDirectory:StorageConnectionString", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("TenantDirectory:TableName 'x'", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_BackupOnAUnitsAccountWithBadRetention_NamesTheFields()
    {
        var na = Unit("na-01", "na");
        var topology = new Topology([na], new TenantDirectoryOptions { StorageConnectionString = "UseDevelopmentStorage=true;dir" })
        {
            Backup = new BackupOptions { StorageConnectionString = na.StorageConnectionString, Container = "Backups", KeepCount = 0 },
        };

        var error = Assert.Throws<OptionsValidationException>(topology.Validate);

        Assert.Contains(error.Failures, f => f.StartsWith("Backup:StorageConnectionString must be an account of its own", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Backup:Container 'Backups'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Backup:KeepCount 0", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ScaleUnit:ServiceId", "", "ScaleUnit:ServiceId is required")]
    [InlineData("ScaleUnit:Region", "mars", "ScaleUnit:Region 'mars'")]
    [InlineData("ScaleUnit:StoragePrefix", "Bad_Prefix", "ScaleUnit:StoragePrefix 'Bad_Prefix'")]
    [InlineData("ScaleUnit:GatewayPort", "70000", "ScaleUnit:GatewayPort 70000")]
    public void ScaleUnitHost_BadField_FailsAtStartNamingTheField(string key, string value, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() => ScaleUnitHost.Create([], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value })));

        Assert.Contains(error.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    private static ScaleUnitOptions Unit(string id, string region) => new()
    {
        Id = id,
        Region = region,
        ClusterId = id,
        ServiceId = $"intune-{id}",
        StorageConnectionString = $"UseDevelopmentStorage=true;{id}",
        StoragePrefix = id.Replace("-", string.Empty, StringComparison.Ordinal),
        SiloPort = 11111 + (region == "na" ? 0 : 10),
        GatewayPort = 30000 + (region == "na" ? 0 : 10),
    };
}
