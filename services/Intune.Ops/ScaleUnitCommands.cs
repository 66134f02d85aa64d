using System.CommandLine;
using System.Diagnostics;
using Intune.ClusterConfig;
using Intune.CommandLine;
using Intune.Routing;

namespace Intune.Ops;

/// <summary><c>intune-ops scale-unit list|status|up|down</c>.</summary>
internal static class ScaleUnitCommands
{
    public static Command Build(Func<ParseResult, Func<OpsEnvironment, CommandOutput, CancellationToken, Task<int>>, Task<int>> run)
    {
        var command = new Command("scale-unit", "List scale units, show their status, start and stop local silos.");

        var list = new Command("list", "The units of the topology and the tenants placed on each.") { OpsCli.JsonOption() };
        list.SetAction((parse, _) => run(parse, ListAsync));
        command.Subcommands.Add(list);

        var status = new Command("status", "Per unit: silos, activations, tenants and devices.") { OpsCli.JsonOption() };
        status.SetAction((parse, _) => run(parse, StatusAsync));
        command.Subcommands.Add(status);

        var upUnit = new Argument<string>("unit") { Description = "Scale unit id, e.g. eu-01." };
        var silos = new Option<int>("--silos") { Description = "How many silo processes to add.", DefaultValueFactory = _ => 1 };
        var adminPort = new Option<int?>("--admin-port") { Description = "Co-host the admin gateway on this port (Graph REST; its gRPC on the next port) in the first silo added." };
        var devicePort = new Option<int?>("--device-port") { Description = "Co-host the device gateway on this port in the first silo added." };
        var up = new Command("up", "Start local silo processes of a unit; they join it through Table membership.") { upUnit, silos, adminPort, devicePort };
        up.SetAction((parse, _) => run(parse, (env, output, ct) =>
            UpAsync(env, output, parse.GetValue(upUnit)!, parse.GetValue(silos), parse.GetValue(adminPort), parse.GetValue(devicePort), ct)));
        command.Subcommands.Add(up);

        var downUnit = new Argument<string>("unit") { Description = "Scale unit id." };
        var down = new Command("down", "Stop the local silo processes 'up' started for a unit.") { downUnit };
        down.SetAction((parse, _) => run(parse, (env, output, ct) => DownAsync(env, output, parse.GetValue(downUnit)!, ct)));
        command.Subcommands.Add(down);
        return command;
    }

    private static async Task<int> ListAsync(OpsEnvironment env, CommandOutput output, CancellationToken cancellationToken)
    {
        var tenants = (await env.Directory.ListAsync(cancellationToken)).GroupBy(e => e.ScaleUnitId).ToDictionary(g => g.Key, g => g.Count());
        var units = env.Topology.ScaleUnits.Select(u => new
        {
            id = u.Id,
            region = u.Region,
            clusterId = u.ClusterId,
            serviceId = u.ServiceId,
            siloPort = u.SiloPort,
            gatewayPort = u.GatewayPort,
            capacityDevices = u.CapacityDevices,
            tenants = tenants.GetValueOrDefault(u.Id),
        }).ToList();
        if (output.Json)
        {
            await output.WriteJsonAsync(units);
            return 0;
        }

        await output.LineAsync($"{"UNIT",-8}  {"REGION",-6}  {"CLUSTER",-10}  {"SERVICE",-16}  {"PORTS",-12}  {"CAPACITY",9}  TENANTS");
        foreach (var u in units)
        {
            await output.LineAsync($"{u.id,-8}  {u.region,-6}  {u.clusterId,-10}  {u.serviceId,-16}  {$"{u.siloPort}/{u.gatewayPort}",-12}  {u.capacityDevices,9}  {u.tenants}");
        }

        return 0;
    }

    internal static async Task<int> StatusAsync(OpsEnvironment env, CommandOutput output, CancellationToken cancellationToken)
    {
        var tenants = (await env.Directory.ListAsync(cancellationToken)).GroupBy(e => e.ScaleUnitId).ToDictionary(g => g.Key, g => g.Count());
        var statuses = await Task.WhenAll(env.Topology.ScaleUnits.Select(u => UnitStatusAsync(env, u, tenants.GetValueOrDefault(u.Id), cancellationToken)));
        if (output.Json)
        {
            await output.WriteJsonAsync(statuses);
            return 0;
        }

        await output.LineAsync($"{"UNIT",-8}  {"REGION",-6}  {"STATE",-11}  {"SILOS",5}  {"ACTIVATIONS",11}  {"TENANTS",7}  {"DEVICES",8}");
        foreach (var s in statuses)
        {
            await output.LineAsync($"{s.Id,-8}  {s.Region,-6}  {s.State,-11}  {s.Silos.Count,5}  {s.Activations,11}  {s.Tenants,7}  {s.Devices,8}");
            foreach (var silo in s.Silos)
            {
                await output.LineAsync($"          silo {silo}");
            }
        }

        return 0;
    }

    private static async Task<UnitStatus> UnitStatusAsync(OpsEnvironment env, ScaleUnitOptions unit, int tenants, CancellationToken cancellationToken)
    {
        var devices = (await UnitStorage.CountDevicesPerTenantAsync(unit, cancellationToken)).Values.Sum();
        try
        {
            var client = await env.Clients.GetAsync(unit.Id, cancellationToken);
            var management = client.GetGrain<IManagementGrain>(0);
            var hosts = await management.GetHosts(onlyActive: true);
            var statistics = await management.GetSimpleGrainStatistics();
            return new UnitStatus(
                unit.Id, unit.Region, "available",
                hosts.Keys.Select(s => s.ToParsableString()).Order(StringComparer.Ordinal).ToList(),
                statistics.Sum(s => (long)s.ActivationCount),
                tenants,
                devices);
        }
        catch (Exception ex) when (ex is ScaleUnitUnavailableException or OrleansException or TimeoutException)
        {
            return new UnitStatus(unit.Id, unit.Region, "unavailable", [], 0, tenants, devices);
        }
    }

    private static async Task<int> UpAsync(OpsEnvironment env, CommandOutput output, string unitId, int count, int? adminPort, int? devicePort, CancellationToken cancellationToken)
    {
        var unit = env.Topology.Unit(unitId);
        if (count is < 1 or > 16)
        {
            throw new OpsException($"--silos {count} must be between 1 and 16.", ExitCodes.Usage);
        }

        var root = env.RepositoryRoot ?? throw new OpsException("'scale-unit up' runs silos from a checkout: run it inside the repository.");
        var silo = Path.Combine(root, "services", "Intune.Silo", "bin", "Debug", "net10.0", "intune-silo.dll");
        if (!File.Exists(silo))
        {
            throw new OpsException($"{silo} is missing: build first (./build.sh).");
        }

        var pids = LocalSilos.Read(root, unit.Id);
        var first = pids.Keys.DefaultIfEmpty(-1).Max() + 1;
        // Silos started elsewhere (./build.sh --target=Run, other machines) count too.
        var expected = (await UnitStatusAsync(env, unit, 0, cancellationToken)).Silos.Count + count;
        for (var index = first; index < first + count; index++)
        {
            // Each silo of the unit gets the next pair of ports after the unit's own.
            var start = new ProcessStartInfo("dotnet", $"\"{silo}\"")
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                Environment =
                {
                    ["ConfigFiles"] = "cluster-config/local/topology.json",
                    ["ScaleUnit__Id"] = unit.Id,
                    ["ScaleUnit__Region"] = unit.Region,
                    ["ScaleUnit__ClusterId"] = unit.ClusterId,
                    ["ScaleUnit__ServiceId"] = unit.ServiceId,
                    ["ScaleUnit__StorageConnectionString"] = unit.StorageConnectionString,
                    ["ScaleUnit__StoragePrefix"] = unit.StoragePrefix,
                    ["ScaleUnit__SiloPort"] = (unit.SiloPort + index).ToString(),
                    ["ScaleUnit__GatewayPort"] = (unit.GatewayPort + index).ToString(),
                    ["ScaleUnit__CapacityDevices"] = unit.CapacityDevices.ToString(),
                    ["LocalTenant__Id"] = string.Empty,
                    // The local topology signs admin tokens with the development key, accepted in Development only.
                    ["DOTNET_ENVIRONMENT"] = "Development",
                },
            };
            var withGateways = index == first && adminPort is not null && devicePort is not null;
            start.Environment["Hosting__Gateways"] = withGateways.ToString();
            if (withGateways)
            {
                start.Environment["Gateways__AdminPort"] = adminPort!.Value.ToString();
                // Beside a running local default (admin gRPC on 5081), the topology's own gRPC port would clash.
                start.Environment["Gateways__AdminGrpcPort"] = (adminPort.Value + 1).ToString();
                start.Environment["Gateways__DevicePort"] = devicePort!.Value.ToString();
            }

            var log = LocalSilos.LogFile(root, unit.Id, index);
            System.IO.Directory.CreateDirectory(LocalSilos.Directory(root, unit.Id));
            var process = Process.Start(start) ?? throw new OpsException("Could not start dotnet.");
            LocalSilos.Drain(process, log);
            LocalSilos.Write(root, unit.Id, index, process.Id);
            await output.LineAsync($"{unit.Id}: silo {index} started (pid {process.Id}, silo port {unit.SiloPort + index}, gateway port {unit.GatewayPort + index}{(withGateways ? $", admin {adminPort}, device {devicePort}" : string.Empty)}), log {log}");
        }

        await output.LineAsync($"{unit.Id}: waiting for {count} silo(s) to join");
        var deadline = env.Time.GetUtcNow().AddSeconds(90);
        while (true)
        {
            var status = await UnitStatusAsync(env, unit, 0, cancellationToken);
            if (status.Silos.Count >= expected)
            {
                await output.LineAsync($"{unit.Id}: {status.Silos.Count} silo(s) active");
                return 0;
            }

            if (env.Time.GetUtcNow() > deadline)
            {
                throw new OpsException($"{unit.Id}: only {status.Silos.Count} of {expected} silo(s) joined within 90 s; see the logs under {LocalSilos.Directory(root, unit.Id)}.", ExitCodes.Failed);
            }

            await Task.Delay(TimeSpan.FromSeconds(1), env.Time, cancellationToken);
        }
    }

    private static async Task<int> DownAsync(OpsEnvironment env, CommandOutput output, string unitId, CancellationToken cancellationToken)
    {
        var unit = env.Topology.Unit(unitId);
        var root = env.RepositoryRoot ?? throw new OpsException("'scale-unit down' works inside the repository.");
        var pids = LocalSilos.Read(root, unit.Id);
        if (pids.Count == 0)
        {
            await output.LineAsync($"{unit.Id}: no local silos were started with 'scale-unit up'.");
            return 0;
        }

        foreach (var (index, pid) in pids)
        {
            await LocalSilos.StopAsync(pid, cancellationToken);
            LocalSilos.Forget(root, unit.Id, index);
            await output.LineAsync($"{unit.Id}: silo {index} (pid {pid}) stopped");
        }

        return 0;
    }

    internal sealed record UnitStatus(string Id, string Region, string State, IReadOnlyList<string> Silos, long Activations, int Tenants, long Devices);
}
