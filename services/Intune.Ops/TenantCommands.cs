using System.CommandLine;
using Intune.CommandLine;
using Intune.Grains.Tenants;
using Intune.Routing;

namespace Intune.Ops;

/// <summary><c>intune-ops tenant create|list|show|move</c>.</summary>
internal static class TenantCommands
{
    public static readonly string[] Regions = ["na", "eu", "apac"];

    public static Command Build(Func<ParseResult, Func<OpsEnvironment, CommandOutput, CancellationToken, Task<int>>, Task<int>> run)
    {
        var tenant = new Command("tenant", "Place, list, show and move tenants.");

        var name = new Option<string>("--name") { Description = "The organisation's display name.", Required = true };
        var region = new Option<string>("--region") { Description = "na, eu or apac.", Required = true };
        region.AcceptOnlyFromAmong(Regions);
        var createJson = OpsCli.JsonOption();
        var create = new Command("create", "Create a tenant on the least-loaded scale unit of its region; prints its id and an enrollment token.") { name, region, createJson };
        create.SetAction((parse, _) => run(parse, (env, output, ct) => CreateAsync(env, output, parse.GetValue(name)!, parse.GetValue(region)!, ct)));
        tenant.Subcommands.Add(create);

        var list = new Command("list", "List the tenants in the directory.") { OpsCli.JsonOption() };
        list.SetAction((parse, _) => run(parse, ListAsync));
        tenant.Subcommands.Add(list);

        var id = new Argument<string>("tenant") { Description = "Tenant id." };
        var show = new Command("show", "Show one tenant: directory entry, unit, devices.") { id, OpsCli.JsonOption() };
        show.SetAction((parse, _) => run(parse, (env, output, ct) => ShowAsync(env, output, parse.GetValue(id)!, ct)));
        tenant.Subcommands.Add(show);

        tenant.Subcommands.Add(TenantMoveCommand.Build(run));

        return tenant;
    }

    internal static async Task<int> CreateAsync(OpsEnvironment env, CommandOutput output, string name, string region, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 256)
        {
            throw new OpsException("--name must be 1 to 256 characters.", ExitCodes.Usage);
        }

        var entries = await env.Directory.ListAsync(cancellationToken);
        var tenantsPerUnit = entries.GroupBy(e => e.ScaleUnitId).ToDictionary(g => g.Key, g => g.Count());
        var devicesPerUnit = new Dictionary<string, long>();
        foreach (var candidate in env.Topology.ScaleUnits.Where(u => u.Region == region))
        {
            devicesPerUnit[candidate.Id] = (await UnitStorage.CountDevicesPerTenantAsync(candidate, cancellationToken)).Values.Sum();
        }

        var unit = TenantPlacement.Choose(env.Topology.ScaleUnits, region, devicesPerUnit, tenantsPerUnit);
        var tenantId = Guid.NewGuid().ToString();

        // Placed first, created second, activated last: a crash in between leaves an entry in
        // Provisioning that routes nowhere, never a tenant the directory does not know.
        var entry = await env.Directory.AddAsync(
            new TenantDirectoryEntry(tenantId, name, region, unit.Id, TenantDirectoryState.Provisioning, env.Time.GetUtcNow()), cancellationToken);
        var grains = await env.Clients.GetAsync(unit.Id, cancellationToken);
        var grain = grains.GetGrain<ITenantGrain>(tenantId);
        await grain.CreateAsync(name, region);
        var token = await grain.CreateEnrollmentTokenAsync(TimeSpan.FromDays(365), maximumUses: null);
        entry = await env.Directory.UpdateAsync(entry with { State = TenantDirectoryState.Active }, cancellationToken);

        if (output.Json)
        {
            await output.WriteJsonAsync(new { id = tenantId, displayName = name, region, scaleUnit = unit.Id, enrollmentToken = token.Token, enrollmentTokenExpiresDateTime = token.ExpiresDateTime });
        }
        else
        {
            await output.LineAsync($"Tenant:           {tenantId} ({name})");
            await output.LineAsync($"Region / unit:    {region} / {unit.Id}");
            await output.LineAsync($"Enrollment token: {token.Token}");
        }

        return 0;
    }

    private static async Task<int> ListAsync(OpsEnvironment env, CommandOutput output, CancellationToken cancellationToken)
    {
        var entries = (await env.Directory.ListAsync(cancellationToken)).OrderBy(e => e.CreatedDateTime).ToList();
        if (output.Json)
        {
            await output.WriteJsonAsync(entries.Select(ToJson));
            return 0;
        }

        await output.LineAsync($"{"ID",-36}  {"NAME",-24}  {"REGION",-6}  {"UNIT",-8}  STATE");
        foreach (var e in entries)
        {
            await output.LineAsync($"{e.TenantId,-36}  {Truncate(e.DisplayName, 24),-24}  {e.Region,-6}  {e.ScaleUnitId,-8}  {e.State}");
        }

        return 0;
    }

    private static async Task<int> ShowAsync(OpsEnvironment env, CommandOutput output, string tenantId, CancellationToken cancellationToken)
    {
        var entry = await env.Directory.GetAsync(tenantId, cancellationToken)
            ?? throw new OpsException($"Tenant '{tenantId}' is not in the tenant directory.", ExitCodes.NotFound);
        var unit = env.Topology.Unit(entry.ScaleUnitId);
        var devices = (await UnitStorage.CountDevicesPerTenantAsync(unit, cancellationToken)).GetValueOrDefault(tenantId);
        if (output.Json)
        {
            await output.WriteJsonAsync(new { tenant = ToJson(entry), devices });
            return 0;
        }

        await output.LineAsync($"Tenant:   {entry.TenantId} ({entry.DisplayName})");
        await output.LineAsync($"Region:   {entry.Region}");
        await output.LineAsync($"Unit:     {entry.ScaleUnitId}{(entry.MovingTo is null ? string.Empty : $" (moving to {entry.MovingTo})")}");
        await output.LineAsync($"State:    {entry.State}");
        await output.LineAsync($"Devices:  {devices}");
        return 0;
    }

    internal static object ToJson(TenantDirectoryEntry e) => new
    {
        id = e.TenantId,
        displayName = e.DisplayName,
        region = e.Region,
        scaleUnit = e.ScaleUnitId,
        state = e.State,
        movingTo = e.MovingTo,
        previousScaleUnit = e.PreviousScaleUnitId,
        createdDateTime = e.CreatedDateTime,
    };

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..(length - 1)] + "…";
}
