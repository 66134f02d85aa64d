namespace Intune.ClusterConfig;

/// <summary>Finds the files under <c>cluster-config/</c> that hosts and <c>intune-ops</c> are pointed at.</summary>
public static class ClusterConfigFile
{
    /// <summary>
    /// A rooted path as it is; a repository-relative one from the working directory upwards, then
    /// from the binaries upwards (a test or a published tool run from elsewhere).
    /// </summary>
    public static string Locate(string path)
    {
        if (Path.IsPathRooted(path))
        {
            return path;
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, path);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException($"Cluster config file '{path}' was not found from '{Directory.GetCurrentDirectory()}' or '{AppContext.BaseDirectory}' upwards.");
    }
}
