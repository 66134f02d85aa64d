using Azure.Data.Tables;
using Intune.AdminGateway.Auth;
using Intune.ClusterConfig;
using Intune.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.Tokens;

namespace Intune.Ops;

/// <summary>
/// What the CLI works on: the topology (every unit and the directory), the admin-token
/// settings, and Orleans clients of the units, opened only when a command needs them.
/// </summary>
public sealed class OpsEnvironment : IAsyncDisposable
{
    private ScaleUnitClients? _clients;

    public OpsEnvironment(Topology topology, AdminAuthOptions adminAuth, SymmetricSecurityKey? signingKey, string? repositoryRoot = null, TimeProvider? time = null)
    {
        Topology = topology;
        AdminAuth = adminAuth;
        SigningKey = signingKey;
        RepositoryRoot = repositoryRoot;
        Time = time ?? TimeProvider.System;
        Directory = new TableTenantDirectory(new TableClient(topology.Directory.StorageConnectionString, topology.Directory.TableName));
    }

    public Topology Topology { get; }

    public AdminAuthOptions AdminAuth { get; }

    public SymmetricSecurityKey? SigningKey { get; }

    /// <summary>Where <c>scale-unit up</c> finds the silo build and keeps its pid files (null outside a checkout).</summary>
    public string? RepositoryRoot { get; }

    public TimeProvider Time { get; }

    public ITenantDirectory Directory { get; }

    public ScaleUnitClients Clients => _clients ??= new ScaleUnitClients(Topology.ScaleUnits, NullLoggerFactory.Instance, development: true);

    /// <summary>Loads the topology file (default: the local one, found from the working directory upwards).</summary>
    public static OpsEnvironment Load(string topologyFile)
    {
        var path = ClusterConfigFile.Locate(topologyFile);
        var root = FindRepositoryRoot(Path.GetDirectoryName(path)!);
        var topology = Topology.Load(topologyFile, ClusterConfigFile.Locate);
        var settings = new ConfigurationBuilder().AddJsonFile(path).Build();
        var contentRoot = root ?? System.IO.Directory.GetCurrentDirectory();
        // The CLI only mints development tokens from the topology's key; refusing that key outside
        // Development is the gateways' gate (they would refuse such tokens), not the CLI's.
        var development = new HostingEnvironment { ContentRootPath = contentRoot, EnvironmentName = Environments.Development };
        var auth = ValidatedOptions.Bind(settings, AdminAuthOptions.SectionName, new AdminAuthOptionsValidator(development));
        var key = auth.Authority is null ? auth.ResolveSigningKey(contentRoot) : null;
        return new OpsEnvironment(topology, auth, key, root);
    }

    public async ValueTask DisposeAsync()
    {
        if (_clients is not null)
        {
            await _clients.DisposeAsync();
        }
    }

    private static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Intune.Cluster.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
