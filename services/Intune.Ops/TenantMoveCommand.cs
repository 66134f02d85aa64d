using System.CommandLine;
using Intune.Ops.Moves;

namespace Intune.Ops;

/// <summary><c>intune-ops tenant move &lt;tenant&gt; --to &lt;unit&gt;</c> with a progress bar per step.</summary>
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
        var bar = new ProgressBar(output.Json ? output.Error : output.Out);
        var mover = new TenantMover(env, bar.ReportAsync) { BeforeStep = beforeStep };
        var result = await mover.MoveAsync(tenantId, to, cancellationToken);
        await bar.FinishAsync();
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

    /// <summary>
    /// One line per step, redrawn in place on a terminal (carriage return) and written once per
    /// tenth otherwise, so logs stay short.
    /// </summary>
    private sealed class ProgressBar(TextWriter writer)
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private MoveStep? _step;
        private int _lastTenth = -1;

        public async Task ReportAsync(MoveStep step, int done, int total)
        {
            await _gate.WaitAsync();
            try
            {
                if (_step != step)
                {
                    if (_step is not null)
                    {
                        await writer.WriteLineAsync();
                    }

                    _step = step;
                    _lastTenth = -1;
                }

                var fraction = total == 0 ? 1.0 : Math.Clamp((double)done / total, 0, 1);
                var tenth = (int)(fraction * 10);
                if (tenth == _lastTenth && done != total)
                {
                    return;
                }

                _lastTenth = tenth;
                var filled = (int)(fraction * 30);
                await writer.WriteAsync($"\r{step,-8} [{new string('#', filled)}{new string('.', 30 - filled)}] {fraction,4:P0} {done}/{total}");
            }
            finally
            {
                _gate.Release();
            }
        }

        public async Task FinishAsync()
        {
            if (_step is not null)
            {
                await writer.WriteLineAsync();
            }
        }
    }
}
