using System.Diagnostics;

namespace Intune.Benchmarks;

/// <summary>Latencies of one measured run, kept whole (runs are short) so percentiles are exact.</summary>
public sealed class Latency
{
    private readonly List<long> _ticks = [];

    public void Add(long stopwatchTicks)
    {
        lock (_ticks)
        {
            _ticks.Add(stopwatchTicks);
        }
    }

    public int Count => _ticks.Count;

    public double PercentileMs(double percentile)
    {
        if (_ticks.Count == 0)
        {
            return double.NaN;
        }

        var sorted = _ticks.Order().ToArray();
        var index = (int)Math.Clamp(Math.Ceiling(percentile / 100 * sorted.Length) - 1, 0, sorted.Length - 1);
        return sorted[index] * 1000.0 / Stopwatch.Frequency;
    }

    public double MaxMs => _ticks.Count == 0 ? double.NaN : _ticks.Max() * 1000.0 / Stopwatch.Frequency;
}

/// <summary>Runs an operation from several workers for a fixed time and reports rate and latency.</summary>
public static class Load
{
    public sealed record Result(long Operations, double Seconds, Latency Latency, long Errors)
    {
        public double PerSecond => Operations / Seconds;
    }

    public static async Task<Result> RunAsync(int workers, TimeSpan duration, Func<int, long, Task> operation)
    {
        var latency = new Latency();
        long operations = 0, errors = 0;
        var stopwatch = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, workers).Select(async worker =>
        {
            long iteration = 0;
            while (stopwatch.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await operation(worker, iteration++);
                    latency.Add(Stopwatch.GetTimestamp() - started);
                    Interlocked.Increment(ref operations);
                }
                catch (Exception) when (Interlocked.Increment(ref errors) < 1000)
                {
                    // Counted and reported; a benchmark that errors says so in its table.
                }
            }
        }).ToList();
        await Task.WhenAll(tasks);
        return new Result(operations, stopwatch.Elapsed.TotalSeconds, latency, errors);
    }
}
