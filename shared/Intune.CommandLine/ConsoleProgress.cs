using Spectre.Console;

namespace Intune.CommandLine;

/// <summary>
/// Progress of long work (enrolling devices, moving a tenant, a backup): bars drawn in place by
/// Spectre.Console on a terminal, and one plain line per quarter of each step when the output is
/// redirected (CI logs, tests, <c>--json</c> runs), so logs stay short and say every step.
/// </summary>
public static class ConsoleProgress
{
    public static async Task<T> RunAsync<T>(TextWriter writer, Func<ProgressReporter, Task<T>> work)
    {
        if (!IsTerminal(writer))
        {
            // Spectre's own fallback prints on a refresh tick, so a step that starts and ends between
            // two ticks never appears; plain lines are written as the milestones are reached instead.
            return await work(new ProgressReporter(new PlainLineProgress(writer).Report));
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.Detect,
            Interactive = InteractionSupport.Detect,
        });
        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(context => work(new ProgressReporter(new BarProgress(context).Report)));
    }

    private static bool IsTerminal(TextWriter writer) =>
        (ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected) || (ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected);

    private sealed class BarProgress(ProgressContext context)
    {
        private readonly Dictionary<string, ProgressTask> _tasks = [];

        public void Report(string step, long done, long total)
        {
            if (!_tasks.TryGetValue(step, out var task))
            {
                task = _tasks[step] = context.AddTask(Markup.Escape(step));
            }

            task.MaxValue = Math.Max(1, total);
            task.Value = total == 0 ? 1 : Math.Clamp(done, 0, total);
            if (done >= total)
            {
                task.StopTask();
            }
        }
    }

    /// <summary>Writes "step: N%" when a step first reaches 0, 25, 50, 75 and 100 %.</summary>
    private sealed class PlainLineProgress(TextWriter writer)
    {
        private const int Quarter = 25;
        private readonly Dictionary<string, int> _lastMilestone = [];

        public void Report(string step, long done, long total)
        {
            var percent = total <= 0 ? 100 : (int)(Math.Clamp(done, 0, total) * 100 / total);
            var milestone = percent / Quarter * Quarter;
            if (_lastMilestone.TryGetValue(step, out var last) && milestone <= last)
            {
                return;
            }

            _lastMilestone[step] = milestone;
            writer.WriteLine($"{step}: {milestone}%");
            writer.Flush();
        }
    }
}

/// <summary>Reports progress of named steps; a step appears the first time it is reported. Safe from any thread.</summary>
public sealed class ProgressReporter
{
    private readonly Action<string, long, long> _sink;
    private readonly Lock _gate = new();

    internal ProgressReporter(Action<string, long, long> sink) => _sink = sink;

    public void Report(string step, long done, long total)
    {
        lock (_gate)
        {
            _sink(step, done, total);
        }
    }

    /// <summary>Reports <paramref name="step"/> as a Task-returning callback, the shape long-running services take.</summary>
    public Task ReportAsync(string step, long done, long total)
    {
        Report(step, done, total);
        return Task.CompletedTask;
    }
}
