using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Intune.ClusterConfig;

/// <summary>Which scale-unit files and which directory file make up a deployment (<c>Topology</c> section).</summary>
public sealed class TopologyOptions
{
    public const string SectionName = "Topology";

    /// <summary>Scale-unit files, repository-relative or absolute.</summary>
    public string[] ScaleUnits { get; set; } = [];

    /// <summary>The tenant directory's file.</summary>
    public string Directory { get; set; } = string.Empty;
}

/// <summary>
/// A deployment as operators and multi-unit gateways see it: every scale unit plus the global
/// directory, loaded from their files and checked together, since a clash between two units
/// (one ServiceId, one port) is invisible to each unit's own validation.
/// </summary>
public sealed record Topology(IReadOnlyList<ScaleUnitOptions> ScaleUnits, TenantDirectoryOptions Directory)
{
    /// <summary>Where backups go (the topology file's <c>Backup</c> section); null when the deployment has none.</summary>
    public BackupOptions? Backup { get; init; }

    public ScaleUnitOptions Unit(string id) =>
        ScaleUnits.FirstOrDefault(u => u.Id == id)
        ?? throw new ArgumentException($"Scale unit '{id}' is not in the topology (known: {string.Join(", ", ScaleUnits.Select(u => u.Id))}).");

    /// <summary>Loads a topology file; paths inside it resolve through <paramref name="locate"/>.</summary>
    public static Topology Load(string topologyFile, Func<string, string> locate)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(locate(topologyFile), optional: false).Build();
        var options = configuration.GetSection(TopologyOptions.SectionName).Get<TopologyOptions>() ?? new TopologyOptions();
        if (options.ScaleUnits.Length == 0)
        {
            throw new OptionsValidationException(TopologyOptions.SectionName, typeof(TopologyOptions), [$"Topology:ScaleUnits in '{topologyFile}' lists no scale-unit file."]);
        }

        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            throw new OptionsValidationException(TopologyOptions.SectionName, typeof(TopologyOptions), [$"Topology:Directory in '{topologyFile}' names no directory file."]);
        }

        var units = options.ScaleUnits.Select(file => LoadSection<ScaleUnitOptions>(locate(file), ScaleUnitOptions.SectionName)).ToList();
        var directory = LoadSection<TenantDirectoryOptions>(locate(options.Directory), TenantDirectoryOptions.SectionName);
        var topology = new Topology(units, directory) { Backup = configuration.GetSection(BackupOptions.SectionName).Get<BackupOptions>() };
        topology.Validate();
        return topology;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> naming every bad field (with the unit it belongs to).</summary>
    public void Validate()
    {
        var errors = new List<string>();
        var unitValidator = new ScaleUnitOptionsValidator();
        foreach (var unit in ScaleUnits)
        {
            var result = unitValidator.Validate(null, unit);
            if (result.Failed)
            {
                errors.AddRange(result.Failures.Select(f => $"{Label(unit)}: {f}"));
            }
        }

        var directory = new TenantDirectoryOptionsValidator().Validate(null, Directory);
        if (directory.Failed)
        {
            errors.AddRange(directory.Failures);
        }

        Unique(u => u.Id, "Id");
        Unique(u => u.ClusterId, "ClusterId");
        Unique(u => u.ServiceId, "ServiceId");
        Unique(u => u.StorageConnectionString, "StorageConnectionString");
        // Ports clash only on one machine, but the local topology is one machine.
        var ports = ScaleUnits.SelectMany(u => new[] { (Unit: u, Field: "SiloPort", Port: u.SiloPort), (Unit: u, Field: "GatewayPort", Port: u.GatewayPort) })
            .GroupBy(p => p.Port)
            .Where(g => g.Count() > 1);
        foreach (var clash in ports)
        {
            errors.Add($"Port {clash.Key} is used by {string.Join(" and ", clash.Select(p => $"{Label(p.Unit)} ScaleUnit:{p.Field}"))}.");
        }

        if (ScaleUnits.Any(u => string.Equals(u.StorageConnectionString, Directory.StorageConnectionString, StringComparison.Ordinal)))
        {
            errors.Add("TenantDirectory:StorageConnectionString must be an account of its own, not a scale unit's.");
        }

        if (Backup is not null)
        {
            var backup = new BackupOptionsValidator().Validate(null, Backup);
            if (backup.Failed)
            {
                errors.AddRange(backup.Failures);
            }

            if (ScaleUnits.Any(u => string.Equals(u.StorageConnectionString, Backup.StorageConnectionString, StringComparison.Ordinal))
                || string.Equals(Directory.StorageConnectionString, Backup.StorageConnectionString, StringComparison.Ordinal))
            {
                errors.Add("Backup:StorageConnectionString must be an account of its own: a backup has to outlive the loss of a unit's account.");
            }
        }

        if (errors.Count > 0)
        {
            throw new OptionsValidationException(TopologyOptions.SectionName, typeof(Topology), errors);
        }

        void Unique(Func<ScaleUnitOptions, string> field, string name)
        {
            foreach (var clash in ScaleUnits.GroupBy(field).Where(g => g.Count() > 1 && !string.IsNullOrEmpty(g.Key)))
            {
                errors.Add($"ScaleUnit:{name} must be unique to one unit; {string.Join(" and ", clash.Select(Label))} share it.");
            }
        }
    }

    private static string Label(ScaleUnitOptions unit) => string.IsNullOrEmpty(unit.Id) ? "scale unit (no Id)" : $"scale unit '{unit.Id}'";

    private static T LoadSection<T>(string file, string section)
        where T : new() =>
        new ConfigurationBuilder().AddJsonFile(file, optional: false).Build().GetSection(section).Get<T>() ?? new T();
}
