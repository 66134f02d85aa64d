using Azure.Data.Tables;
using Intune.AdminGateway;
using Intune.ClusterConfig;
using Intune.DeviceGateway;
using Intune.DeviceGateway.Security;
using Intune.Routing;
using Intune.ServiceDefaults;

namespace Intune.Gateway;

/// <summary>
/// The gateways as a process of their own (docs/architecture.md §7): stateless, an Orleans client
/// of every scale unit in the topology, routing admin calls by the token's tenant through the
/// global directory and device calls by the unit their certificate names. Run as many as load
/// needs. Devices get one TLS port per unit (the unit's <c>DeviceEndpoint</c>), since each
/// pinned its unit's CA at enrollment.
/// </summary>
public static class GatewayHost
{
    /// <summary>The topology file (units and directory), also read for <c>Gateways</c> and <c>AdminAuth</c>.</summary>
    public const string TopologyFileKey = "TopologyFile";

    public const string DefaultTopologyFile = "cluster-config/local/topology.json";

    /// <param name="args">Command line; <c>--TopologyFile</c> picks the topology.</param>
    /// <param name="topology">The topology to serve instead of the file's (tests).</param>
    /// <param name="configure">Extra configuration, applied last (tests: ports).</param>
    public static WebApplication Create(string[] args, Topology? topology = null, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var topologyFile = ClusterConfigFile.Locate(builder.Configuration[TopologyFileKey] ?? DefaultTopologyFile);
        builder.Configuration.AddJsonFile(topologyFile, optional: false, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
        configure?.Invoke(builder);
        topology ??= Topology.Load(topologyFile, ClusterConfigFile.Locate);

        builder.Services.AddSingleton(topology);
        builder.Services.AddSingleton(sp => new ScaleUnitClients(topology.ScaleUnits, sp.GetRequiredService<ILoggerFactory>(), builder.Environment.IsDevelopment()));
        builder.Services.AddSingleton<ITenantDirectory>(new TableTenantDirectory(new TableClient(topology.Directory.StorageConnectionString, topology.Directory.TableName)));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IScaleUnitRouter>(sp => new DirectoryScaleUnitRouter(
            sp.GetRequiredService<ScaleUnitClients>(), sp.GetRequiredService<ITenantDirectory>(), topology.Directory, sp.GetRequiredService<TimeProvider>()));

        builder.AddServiceDefaults();
        builder.AddDeviceGateway(DeviceBindings(topology));
        builder.AddAdminGateway();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapDeviceGateway();
        app.MapAdminGateway();
        return app;
    }

    /// <summary>One device port per unit that names a <c>DeviceEndpoint</c>; a unit without one gets no device traffic here.</summary>
    private static List<DeviceEndpointBinding> DeviceBindings(Topology topology)
    {
        var bindings = topology.ScaleUnits
            .Where(u => !string.IsNullOrWhiteSpace(u.DeviceEndpoint))
            .Select(u => new DeviceEndpointBinding(new Uri(u.DeviceEndpoint!).Port, u.Id, u.DeviceEndpoint))
            .ToList();
        if (bindings.Count == 0)
        {
            throw new InvalidOperationException("No scale unit in the topology names a ScaleUnit:DeviceEndpoint, so the gateway would serve no device; set one per unit (e.g. https://127.0.0.1:5443).");
        }

        foreach (var clash in bindings.GroupBy(b => b.Port).Where(g => g.Count() > 1))
        {
            throw new InvalidOperationException($"ScaleUnit:DeviceEndpoint port {clash.Key} is named by {string.Join(" and ", clash.Select(b => b.ScaleUnitId))}; each unit needs a port of its own.");
        }

        return bindings;
    }
}
