using Intune.ClusterConfig;

namespace Intune.Silo.Hosting;

public static class ClusterConfigFiles
{
    /// <summary>
    /// Default files: the local scale unit, the local topology and (for the local tenant's entry
    /// only) the tenant directory, all repository-relative.
    /// </summary>
    public static readonly string[] LocalDefault = ["cluster-config/scale-units/na-01.json", "cluster-config/local/topology.json", "cluster-config/directory/global.json"];

    /// <summary>
    /// Loads the cluster-config files named by <c>ConfigFiles</c> (semicolon-separated), or the
    /// local default, then re-applies environment variables and the command line so they win.
    /// </summary>
    public static WebApplicationBuilder AddClusterConfigFiles(this WebApplicationBuilder builder, string[] args)
    {
        var files = builder.Configuration["ConfigFiles"] is { Length: > 0 } named
            ? named.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : LocalDefault;
        foreach (var file in files)
        {
            builder.Configuration.AddJsonFile(ClusterConfigFile.Locate(file), optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
        return builder;
    }
}
