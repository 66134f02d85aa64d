using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Grpc.Core;
using Intune.Device.V1;

namespace Intune.DeviceSim;

/// <param name="CheckInInterval">A fixed time between check-ins; null follows the service's next_check_in.</param>
/// <param name="ScheduleScale">Multiplies the service's schedule (0.01 turns 15 minutes into 9 s) so demos and load runs move faster.</param>
/// <param name="Listen">Hold a Listen stream per device and check in when nudged.</param>
public sealed record SimulationOptions(
    Uri Gateway,
    string TenantId,
    string EnrollmentToken,
    int Devices,
    IReadOnlyList<Platform> Platforms,
    double NoncompliantFraction,
    TimeSpan Duration,
    TimeSpan? CheckInInterval,
    int Concurrency,
    double ScheduleScale = 1.0,
    bool Listen = true)
{
    /// <summary>Devices download, verify and report the apps they are told to install (<c>--apps</c>).</summary>
    public bool Apps { get; init; }

    /// <summary>Called when a device is enrolled and, if listening, its push channel is live.</summary>
    public Action<SimulatedDevice>? DeviceReady { get; init; }

    /// <summary>Called when a device gives up enrolling, with the reason.</summary>
    public Action<SimulatedDevice, string>? EnrollmentFailed { get; init; }

    /// <summary>Called as a device carries out a command.</summary>
    public Action<SimulatedDevice, Command>? CommandExecuted { get; init; }

    /// <summary>Called each time a device's enrollment ends (enrolled or given up), with how many have ended so far.</summary>
    public Action<int>? EnrollmentProgress { get; init; }
}

/// <param name="EnrollRefused">Of <paramref name="EnrollFailures"/>, those the service refused (token, restriction, limit) rather than could not answer.</param>
public sealed record SimulationSummary(
    int Requested,
    int Enrolled,
    int EnrollFailures,
    long CheckIns,
    long NotModified,
    long CheckInFailures,
    IReadOnlyDictionary<string, int> ByPlatform,
    IReadOnlyDictionary<string, int> ByCompliance,
    IReadOnlyList<string> Errors,
    double ElapsedSeconds,
    IReadOnlyList<string> DeviceIds,
    long Nudges,
    IReadOnlyDictionary<string, int> CommandsExecuted,
    int Unenrolled,
    int EnrollRefused);

/// <summary>
/// Enrolls N devices with a platform mix, then runs each as an agent would until the duration
/// ends: it holds a Listen stream, checks in when nudged and when the service's schedule says,
/// and carries out the commands it receives.
/// </summary>
public sealed class Simulation(SimulationOptions options)
{
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    // A real agent retries an enrollment that failed for a reason that may pass (an overloaded or
    // restarting service); a refusal (bad token, restriction, limit) is final.
    private const int EnrollmentAttempts = 3;
    private static readonly StatusCode[] TransientStatuses =
        [StatusCode.Unavailable, StatusCode.DeadlineExceeded, StatusCode.Aborted, StatusCode.Internal, StatusCode.Unknown];

    private readonly ConcurrentQueue<string> _errors = new();
    private long _checkInFailures;
    private long _nudges;
    private int _enrollRefused;
    private int _enrollmentsEnded;

    public async Task<SimulationSummary> RunAsync(CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var random = new Random(42);
        var noncompliantCount = (int)Math.Round(options.Devices * options.NoncompliantFraction);
        // One HTTP client for every device's package downloads (they go to blob storage, not the gateway).
        using var downloads = new HttpClient();
        var devices = Enumerable.Range(0, options.Devices)
            .Select(i => new SimulatedDevice(options.Gateway, DeviceProfile.Create(options.Platforms[i % options.Platforms.Count], i, i < noncompliantCount, random))
            {
                CommandExecuted = options.CommandExecuted,
                Apps = options.Apps ? new Apps.AppInstaller(downloads) : null,
            })
            .ToList();
        var enrolled = new ConcurrentBag<SimulatedDevice>();
        using var gate = new SemaphoreSlim(options.Concurrency);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.Duration > TimeSpan.Zero)
        {
            stop.CancelAfter(options.Duration);
        }

        await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken }, async (device, ct) =>
        {
            var admitted = await EnrollWithRetryAsync(device, ct);
            options.EnrollmentProgress?.Invoke(Interlocked.Increment(ref _enrollmentsEnded));
            if (admitted)
            {
                enrolled.Add(device);
                try
                {
                    await device.SyncAsync(ct);
                }
                catch (RpcException ex)
                {
                    // The device is enrolled; its scheduled or nudged check-ins try again.
                    Interlocked.Increment(ref _checkInFailures);
                    _errors.Enqueue($"{device.Profile.DeviceName}: first check-in: {ex.Status.StatusCode}: {ex.Status.Detail}");
                }
            }
        });

        if (options.Duration > TimeSpan.Zero)
        {
            await Task.WhenAll(enrolled.Select(d => RunDeviceAsync(d, gate, stop.Token)));
        }
        else
        {
            foreach (var device in enrolled)
            {
                options.DeviceReady?.Invoke(device);
            }
        }

        var commands = enrolled
            .SelectMany(d => d.ExecutedCommands)
            .GroupBy(c => c.ToString())
            .ToDictionary(g => g.Key, g => g.Count());
        var summary = new SimulationSummary(
            options.Devices,
            enrolled.Count,
            options.Devices - enrolled.Count,
            enrolled.Sum(d => d.CheckIns),
            enrolled.Sum(d => d.NotModifiedCheckIns),
            Interlocked.Read(ref _checkInFailures),
            enrolled.GroupBy(d => d.Profile.Platform.ToString()).ToDictionary(g => g.Key, g => g.Count()),
            enrolled.Where(d => !d.Unenrolled).GroupBy(d => d.LastCheckIn?.ComplianceState.ToString() ?? "None").ToDictionary(g => g.Key, g => g.Count()),
            _errors.Take(20).ToList(),
            stopwatch.Elapsed.TotalSeconds,
            enrolled.Select(d => d.DeviceId!).ToList(),
            Interlocked.Read(ref _nudges),
            commands,
            enrolled.Count(d => d.Unenrolled),
            Volatile.Read(ref _enrollRefused));
        foreach (var device in devices)
        {
            device.Dispose();
        }

        return summary;
    }

    private async Task<bool> EnrollWithRetryAsync(SimulatedDevice device, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await device.EnrollAsync(options.EnrollmentToken, cancellationToken);
                return true;
            }
            catch (RpcException ex) when (attempt < EnrollmentAttempts && TransientStatuses.Contains(ex.StatusCode) && !cancellationToken.IsCancellationRequested)
            {
                _errors.Enqueue($"{device.Profile.DeviceName}: enrollment attempt {attempt}: {ex.Status.StatusCode}: {ex.Status.Detail} (retrying)");
                await Task.Delay(ReconnectDelay * attempt, cancellationToken);
            }
            catch (Exception ex) when (ex is RpcException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                var reason = ex is RpcException rpc ? $"{rpc.Status.StatusCode}: {rpc.Status.Detail}" : $"{ex.GetType().Name}: {ex.Message}";
                if (ex is RpcException refusal && !TransientStatuses.Contains(refusal.StatusCode))
                {
                    Interlocked.Increment(ref _enrollRefused);
                }

                _errors.Enqueue($"{device.Profile.DeviceName}: {reason}");
                options.EnrollmentFailed?.Invoke(device, reason);
                return false;
            }
        }
    }

    private async Task RunDeviceAsync(SimulatedDevice device, SemaphoreSlim gate, CancellationToken stop)
    {
        // One pending wake-up is enough: several nudges before the check-in collapse into one.
        var wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listenStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var listening = options.Listen ? ListenAsync(device, wake.Writer, ready, listenStop.Token) : Task.CompletedTask;
        if (!options.Listen)
        {
            ready.TrySetResult();
        }

        try
        {
            await ready.Task.WaitAsync(stop);
            options.DeviceReady?.Invoke(device);
            while (!stop.IsCancellationRequested && !device.Unenrolled)
            {
                var wait = options.CheckInInterval ?? Scaled(device.LastCheckIn?.NextCheckIn.ToDateTimeOffset() - DateTimeOffset.UtcNow);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                timeout.CancelAfter(wait < MinimumWait ? MinimumWait : wait);
                try
                {
                    await wake.Reader.ReadAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    // Scheduled check-in time.
                }

                await gate.WaitAsync(stop);
                try
                {
                    await device.SyncAsync(stop);
                }
                catch (RpcException ex) when (!stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _checkInFailures);
                    _errors.Enqueue($"{device.Profile.DeviceName}: {ex.Status.StatusCode}: {ex.Status.Detail}");
                    if (ex.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated)
                    {
                        break;
                    }
                }
                finally
                {
                    gate.Release();
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled } && stop.IsCancellationRequested)
        {
            // Duration over, possibly in the middle of a check-in.
        }

        // A retired or wiped device has nothing more to listen for.
        await listenStop.CancelAsync();
        await listening;
    }

    /// <summary>Holds the Listen stream, reconnecting when it drops; a reconnect triggers a check-in so nothing is missed.</summary>
    private async Task ListenAsync(SimulatedDevice device, ChannelWriter<bool> wake, TaskCompletionSource ready, CancellationToken stop)
    {
        var connections = 0;
        while (!stop.IsCancellationRequested && !device.Unenrolled)
        {
            try
            {
                await device.ListenAsync(
                    nudge =>
                    {
                        if (nudge.Reason == "connected")
                        {
                            if (connections++ > 0)
                            {
                                wake.TryWrite(true);
                            }

                            ready.TrySetResult();
                        }
                        else
                        {
                            Interlocked.Increment(ref _nudges);
                            wake.TryWrite(true);
                        }

                        return Task.CompletedTask;
                    },
                    stop);
            }
            catch (RpcException ex) when (!stop.IsCancellationRequested && ex.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated)
            {
                // Retired, wiped or deleted: nothing more to listen for.
                ready.TrySetResult();
                return;
            }
            catch (Exception ex) when (ex is RpcException or OperationCanceledException or IOException && !stop.IsCancellationRequested)
            {
                // The stream dropped; reconnect shortly.
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(ReconnectDelay, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private TimeSpan Scaled(TimeSpan? untilNext)
    {
        var wait = untilNext ?? TimeSpan.FromMinutes(15);
        return TimeSpan.FromTicks((long)(Math.Max(0, wait.Ticks) * options.ScheduleScale));
    }
}
