using System.Collections.Concurrent;
using Spectre.Console;

namespace Intune.CommandLine;

/// <summary>
/// Progress bars for long work (enrolling devices, moving a tenant) drawn by Spectre.Console:
/// redrawn in place on a terminal, and as a few plain lines when the output is redirected
/// (CI logs, tests), so logs stay short.
/// </summary>
public static class ConsoleProgress
{
    public static async Task<T> RunAsync<T>(TextWriter writer, Func<ProgressReporter, Task<T>> work)
    {
        // Colours and in-place redraws only on a terminal; a file or a pipe gets plain text.
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = IsTerminal(writer) ? AnsiSupport.Detect : AnsiSupport.No,
            Interactive = IsTerminal(writer) ? InteractionSupport.Detect : InteractionSupport.No,
        });
        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(context => work(new ProgressReporter(context)));
    }

    private static bool IsTerminal(TextWriter writer) =>
        (ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected) || (ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected);
}

/// <summary>Reports progress of named steps; a step's bar appears the first time it is reported. Safe from any thread.</summary>
public sealed class ProgressReporter
{
    private readonly ProgressContext _context;
    private readonly ConcurrentDictionary<string, ProgressTask> _tasks = new();
    private readonly Lock _gate = new();

    internal ProgressReporter(ProgressContext context) => _context = context;

    public void Report(string step, long done, long total)
    {
        lock (_gate)
        {
            var task = _tasks.GetOrAdd(step, name => _context.AddTask(Markup.Escape(name)));
            task.MaxValue = Math.Max(1, total);
            task.Value = total == 0 ? 1 : Math.Clamp(done, 0, total);
            if (done >= total)
            {
                task.StopTask();
            }
        }
    }

    /// <summary>Reports <paramref name="step"/> as a Task-returning callback, the shape long-running services take.</summary>
    public Task ReportAsync(string step, long done, long total)
    {
        Report(step, done, total);
        return Task.CompletedTask;
    }
}
