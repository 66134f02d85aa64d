using System.Collections.Concurrent;
using System.Net;
using Intune.Device.V1;
using Intune.DeviceSim;

namespace Intune.DeviceSim.Tests;

/// <summary>The device simulator against a real scale unit: enroll, listen, get nudged, carry out commands.</summary>
public sealed class SimulationTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    // A backstop against a hang, not a timing assertion: four RSA enrollments and TLS handshakes
    // share two cores with the other test assemblies.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    private ScaleUnitTestHost Host => fixture.Host;

    [Fact]
    public async Task Run_AdminSendsActions_DevicesAreNudgedCarryThemOutAndSummaryCountsThem()
    {
        var (tenantId, token) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        var ready = new ConcurrentDictionary<string, SimulatedDevice>();
        var allReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var executed = new ConcurrentQueue<(string DeviceId, CommandType Type)>();
        var bothExecuted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new SimulationOptions(
            Host.DeviceGateway,
            tenantId,
            token,
            Devices: 4,
            Platforms: [Platform.Windows, Platform.Ios, Platform.Android, Platform.Macos],
            NoncompliantFraction: 0.25,
            // Ended by the test once the commands are carried out; the duration is only a backstop.
            Duration: TimeSpan.FromMinutes(2),
            CheckInInterval: null,
            Concurrency: 4,
            // Keeps scheduled check-ins hours away: every check-in in this test is a nudge's.
            ScheduleScale: 1.0)
        {
            DeviceReady = device =>
            {
                ready[device.DeviceId!] = device;
                if (ready.Count == 4)
                {
                    allReady.TrySetResult();
                }
            },
            // Fails the wait at once with the service's reason instead of timing out.
            EnrollmentFailed = (device, reason) => allReady.TrySetException(new Xunit.Sdk.XunitException($"{device.Profile.DeviceName} could not enroll: {reason}")),
            CommandExecuted = (device, command) =>
            {
                executed.Enqueue((device.DeviceId!, command.Type));
                if (executed.Count == 2)
                {
                    bothExecuted.TrySetResult();
                }
            },
        };
        using var stop = new CancellationTokenSource();
        var running = new Simulation(options).RunAsync(stop.Token);
        // A simulation that faults ends the wait with its exception too.
        var first = await Task.WhenAny(allReady.Task, running).WaitAsync(Wait);
        await first;
        Assert.True(allReady.Task.IsCompletedSuccessfully, "The simulation ended before every device was ready.");
        var ids = ready.Keys.Order(StringComparer.Ordinal).ToList();

        var lockResponse = await admin.PostAsync($"deviceManagement/managedDevices/{ids[0]}/remoteLock", content: null);
        var rebootResponse = await admin.PostAsync($"deviceManagement/managedDevices/{ids[1]}/rebootNow", content: null);
        await bothExecuted.Task.WaitAsync(Wait);
        await stop.CancelAsync();
        var summary = await running.WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.NoContent, lockResponse.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, rebootResponse.StatusCode);
        Assert.Equal(4, summary.Enrolled);
        Assert.Contains((ids[0], CommandType.RemoteLock), executed);
        Assert.Contains((ids[1], CommandType.RebootNow), executed);
        Assert.Equal(1, summary.CommandsExecuted["RemoteLock"]);
        Assert.Equal(1, summary.CommandsExecuted["RebootNow"]);
        Assert.True(summary.Nudges >= 2, $"Expected at least 2 nudges, saw {summary.Nudges}.");
        Assert.Equal(0, summary.CheckInFailures);
    }
}
