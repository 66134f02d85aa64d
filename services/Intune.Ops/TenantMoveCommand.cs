using System.CommandLine;
using Intune.CommandLine;
using Intune.Ops.Moves;

namespace Intune.Ops;

/// <summary><c>intune-ops tenant move &lt;tenant&gt; --to &lt;unit&gt;</c> with a progress bar per step (Spectre.Console).</summary>
internal static class TenantMoveCommand
{
    public static Command Build(Func<ParseResult, Func<OpsEnvironment, CommandOutput, CancellationToken, Task<int>>, Task<int>> run)
    {
        var tenant = new Argument<string>("tenant") { Description = "Tenant id." };
        var to = new Option<string>("--to") { Description = "Target scale unit (same region).", Required = true };
        var json = OpsCli.JsonOption();
        var move = new Command("move", "Move a tenant to another scale unit: export, import, verify (counts + SHA-256), switch the directory, clean up.") { tenant, to, json };
        move.SetAction((parse, _) => run(parse, (env, output, ct) => MoveAsync(env, output, parse.GetValue(tenant)!, parse.GetValue(to)!, beforeStep: null, ct)));
        return move;
    }

    internal static async Task<int> MoveAsync(OpsEnvironment env, CommandOutput output, string tenantId, string to, Func<MoveStep, Task>? beforeStep, CancellationToken cancellationToken)
    {
        var result = await ConsoleProgress.RunAsync(output.Progress, progress =>
        {
            var mover = new TenantMover(env, (step, done, total) => progress.ReportAsync(step.ToString(), done, total)) { BeforeStep = beforeStep };
            return mover.MoveAsync(tenantId, to, cancellationToken);
        });
        if (output.Json)
        {
            await output.WriteJsonAsync(new { id = result.TenantId, from = result.From, to = result.To, rows = result.Counts, sha256 = result.Checksum });
        }
        else
        {
            await output.LineAsync($"Moved {result.TenantId} from {result.From} to {result.To}: {string.Join(", ", result.Counts.Select(c => $"{c.Value} {c.Key}"))} rows, SHA-256 {result.Checksum}");
        }

        return 0;
    }
}
