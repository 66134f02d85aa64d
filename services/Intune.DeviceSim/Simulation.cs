using System.Diagnostics;
using Grpc.Core;
using Intune.Device.V1;

namespace Intune.DeviceSim;

public sealed record SimulationOptions(
    Uri Gateway,
    string TenantId,
    string EnrollmentToken,
    int Devices,
    IReadOnlyList<Platform> Platforms,
    double NoncompliantFraction,
    TimeSpan Duration,
    TimeSpan CheckInInterval,
    int Concurrency);

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
    IReadOnlyList<string> DeviceIds);

/// <summary>Enrolls N devices with a platform mix, checks each in, and keeps checking in until the duration ends.</summary>
public sealed class Simulation(SimulationOptions options)
{
    public async Task<SimulationSummary> RunAsync(CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var random = new Random(42);
        var noncompliantCount = (int)Math.Round(options.Devices * options.NoncompliantFraction);
        var devices = Enumerable.Range(0, options.Devices)
            .Select(i => new SimulatedDevice(options.Gateway, DeviceProfile.Create(options.Platforms[i % options.Platforms.Count], i, i < noncompliantCount, random)))
            .ToList();
        var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
        long checkIns = 0, notModified = 0, checkInFailures = 0;
        var enrolled = new System.Collections.Concurrent.ConcurrentBag<SimulatedDevice>();

        await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken }, async (device, ct) =>
        {
            try
            {
                await device.EnrollAsync(options.EnrollmentToken, ct);
                enrolled.Add(device);
                await device.CheckInAsync(ct);
                Interlocked.Increment(ref checkIns);
            }
            catch (RpcException ex)
            {
                errors.Add($"{device.Profile.DeviceName}: {ex.Status.StatusCode}: {ex.Status.Detail}");
            }
        });

        var deadline = stopwatch.Elapsed + options.Duration;
        while (stopwatch.Elapsed < deadline && !cancellationToken.IsCancellationRequested)
        {
            var wait = options.CheckInInterval < deadline - stopwatch.Elapsed ? options.CheckInInterval : deadline - stopwatch.Elapsed;
            try
            {
                await Task.Delay(wait, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            await Parallel.ForEachAsync(enrolled, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency }, async (device, ct) =>
            {
                try
                {
                    var response = await device.CheckInAsync(ct);
                    Interlocked.Increment(ref checkIns);
                    if (response.NotModified)
                    {
                        Interlocked.Increment(ref notModified);
                    }
                }
                catch (RpcException ex)
                {
                    Interlocked.Increment(ref checkInFailures);
                    errors.Add($"{device.Profile.DeviceName}: {ex.Status.StatusCode}: {ex.Status.Detail}");
                }
            });
        }

        var summary = new SimulationSummary(
            options.Devices,
            enrolled.Count,
            options.Devices - enrolled.Count,
            checkIns,
            notModified,
            checkInFailures,
            enrolled.GroupBy(d => d.Profile.Platform.ToString()).ToDictionary(g => g.Key, g => g.Count()),
            enrolled.GroupBy(d => d.LastCheckIn?.ComplianceState.ToString() ?? "None").ToDictionary(g => g.Key, g => g.Count()),
            errors.Take(20).ToList(),
            stopwatch.Elapsed.TotalSeconds,
            enrolled.Select(d => d.DeviceId!).ToList());
        foreach (var device in devices)
        {
            device.Dispose();
        }

        return summary;
    }
}
