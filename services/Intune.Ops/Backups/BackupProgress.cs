using System.Diagnostics;
using System.Globalization;

namespace Intune.Ops.Backups;

/// <summary>Where backup and restore report how far they are.</summary>
public interface IBackupProgress
{
    /// <param name="total">0 while the total is not known yet.</param>
    Task ReportAsync(string step, long done, long total, long bytes);
}

internal static class BackupProgressExtensions
{
    public static Task StepAsync(this IBackupProgress? progress, string step, long done, long total, long bytes = 0) =>
        progress is null ? Task.CompletedTask : progress.ReportAsync(step, done, total, bytes);
}

/// <summary>
/// One line per step with rows, MB, rate and ETA, redrawn in place (carriage return) at most every
/// 200 ms, and written to standard error under <c>--json</c> so the document on standard output
/// stays clean.
/// </summary>
internal sealed class ConsoleBackupProgress(TextWriter writer) : IBackupProgress
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _step;
    private TimeSpan _stepStarted;
    private TimeSpan _lastDrawn = TimeSpan.MinValue;

    public async Task ReportAsync(string step, long done, long total, long bytes)
    {
        await _gate.WaitAsync();
        try
        {
            var now = _clock.Elapsed;
            if (_step != step)
            {
                if (_step is not null)
                {
                    await writer.WriteLineAsync();
                }

                _step = step;
                _stepStarted = now;
            }
            else if (now - _lastDrawn < TimeSpan.FromMilliseconds(200) && done != total)
            {
                return;
            }

            _lastDrawn = now;
            var seconds = Math.Max((now - _stepStarted).TotalSeconds, 0.001);
            var rate = done / seconds;
            var bar = total > 0 ? Bar((double)done / total) : string.Empty;
            var eta = total > 0 && rate > 0 ? $" ETA {TimeSpan.FromSeconds((total - done) / rate):mm\\:ss}" : string.Empty;
            await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                $"\r{step,-8} {bar}{done}{(total > 0 ? $"/{total}" : string.Empty)} rows  {bytes / 1e6:F1} MB  {rate:F0} rows/s{eta}   "));
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

    private static string Bar(double fraction)
    {
        var filled = (int)(Math.Clamp(fraction, 0, 1) * 24);
        return $"[{new string('#', filled)}{new string('.', 24 - filled)}] ";
    }
}
