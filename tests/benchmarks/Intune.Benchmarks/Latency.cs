using System.Diagnostics;
using Intune.Testing;

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
    /// <param name="CpuTime">This process's CPU time over the window (client and server share the process).</param>
    /// <param name="GcPause">Time the runtime paused threads for garbage collection over the window.</param>
    /// <param name="StorageRequests">Storage requests the scale unit sent over the window (background traffic excluded).</param>
    public sealed record Result(long Operations, double Seconds, Latency Latency, long Errors, TimeSpan CpuTime = default, TimeSpan GcPause = default, long StorageRequests = 0)
    {
        public double PerSecond => Operations / Seconds;

        public double CpuMicrosecondsPerOperation => Operations == 0 ? double.NaN : CpuTime.TotalMicroseconds / Operations;

        public double StorageRequestsPerOperation => Operations == 0 ? double.NaN : (double)StorageRequests / Operations;

        /// <summary>CPU per operation, GC pauses and storage requests per operation, for a figure's notes.</summary>
        public string Costs => $"CPU {CpuMicrosecondsPerOperation:F0} µs/op, GC pauses {GcPause.TotalMilliseconds:F0} ms in {Seconds:F1} s, storage requests/op {StorageRequestsPerOperation:F2}";
    }

    public static async Task<Result> RunAsync(int workers, TimeSpan duration, Func<int, long, Task> operation)
    {
        var latency = new Latency();
        long operations = 0, errors = 0;
        var window = Window.Start();
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
        return window.End(operations, stopwatch.Elapsed.TotalSeconds, latency, errors);
    }

    /// <summary>Runs <paramref name="operation"/> once for each of <paramref name="count"/> items, <paramref name="workers"/> at a time (warm-up: every channel touched once).</summary>
    public static Task TouchAllAsync(int count, int workers, Func<int, Task> operation) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = workers }, async (i, _) => await operation(i));

    /// <summary>Process CPU time, GC pause time and storage requests between two points.</summary>
    public readonly record struct Window(TimeSpan Cpu, TimeSpan Pause, long Requests)
    {
        public static Window Start() => new(Process.GetCurrentProcess().TotalProcessorTime, GC.GetTotalPauseDuration(), StorageRequestMeter.Total);

        public Result End(long operations, double seconds, Latency latency, long errors) =>
            new(operations, seconds, latency, errors,
                Process.GetCurrentProcess().TotalProcessorTime - Cpu, GC.GetTotalPauseDuration() - Pause, StorageRequestMeter.Total - Requests);
    }
}
