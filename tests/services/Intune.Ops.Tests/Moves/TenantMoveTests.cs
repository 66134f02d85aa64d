using System.Diagnostics;
using System.Text.Json.Nodes;
using Intune.Device.V1;
using Intune.DeviceSim;
using Intune.Grains.Tenants;
using Intune.Ops.Moves;
using Intune.Routing;
using Xunit.Abstractions;

namespace Intune.Ops.Tests.Moves;

/// <summary><c>intune-ops tenant move</c>: everything arrives, nothing is lost, an interrupted move changes nothing.</summary>
public sealed class TenantMoveTests(MoveUnits units, ITestOutputHelper log) : IClassFixture<MoveUnits>
{
    private const int ManyDevices = 1000;

    [Fact]
    public async Task Move_TenantWithManyDevices_AllStateArrivesAndEveryDeviceChecksInOnTarget()
    {
        var (tenantId, token, source) = await CreateTenantAsync("Moving Co");
        var target = source == "na-01" ? "na-02" : "na-01";
        var clock = Stopwatch.StartNew();
        var devices = await EnrollAsync(units.Host(source), token, ManyDevices);
        log.WriteLine($"Enrolled {ManyDevices} devices in {clock.Elapsed.TotalSeconds:F1} s");
        try
        {
            await units.QuiesceAsync();
            var before = await TenantSnapshot.ReadAsync(units.Host(source).Unit, tenantId, CancellationToken.None);

            clock.Restart();
            var (exit, output, error) = await units.OpsAsync("tenant", "move", tenantId, "--to", target, "--json");
            log.WriteLine($"Moved in {clock.Elapsed.TotalSeconds:F1} s; progress: {error.Length} characters");

            Assert.True(exit == 0, error);
            var moved = JsonNode.Parse(output)!;
            Assert.Equal(ManyDevices, (int)moved["rows"]!["devices"]!);
            Assert.True((int)moved["rows"]!["grainstate"]! >= ManyDevices + 1, "Every Device grain's state and the Tenant grain's state are copied.");
            Assert.Equal(before.Checksum, (string?)moved["sha256"]);
            Assert.Contains("Verify: 100%", error); // every step of the move is reported, the checksum check included
            var entry = (await units.Directory.GetAsync(tenantId))!;
            Assert.Equal((target, TenantDirectoryState.Active, source), (entry.ScaleUnitId, entry.State, entry.PreviousScaleUnitId));
            var after = await TenantSnapshot.ReadAsync(units.Host(target).Unit, tenantId, CancellationToken.None);
            Assert.Equal(before.Checksum, after.Checksum);
            Assert.Empty((await TenantSnapshot.ReadAsync(units.Host(source).Unit, tenantId, CancellationToken.None)).Rows);

            // Devices follow with the certificates they already hold: each still calls the source's
            // gateway, is sent to the target's, and checks in there (the target trusts the source's
            // CA and its Device grains know each certificate serial).
            var serials = devices.ToDictionary(d => d.DeviceId!, d => d.Certificate!.SerialNumber);
            clock.Restart();
            var results = new System.Collections.Concurrent.ConcurrentBag<CheckInResponse>();
            await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (device, ct) => results.Add(await device.CheckInAsync(ct)));
            log.WriteLine($"{ManyDevices} devices followed to {target} and checked in in {clock.Elapsed.TotalSeconds:F1} s");
            Assert.Equal(ManyDevices, results.Count);
            Assert.All(results, r => Assert.True(r.NextCheckIn.ToDateTimeOffset() > DateTimeOffset.UtcNow));
            Assert.All(devices, d => Assert.Equal((units.Host(target).DeviceGateway, serials[d.DeviceId!]), (d.Gateway, d.Certificate!.SerialNumber)));
            var targetGrains = units.Host(target).Grains;
            var tenant = await targetGrains.GetGrain<ITenantGrain>(tenantId).GetAsync();
            Assert.Equal("Moving Co", tenant!.DisplayName);
            using var newcomer = units.Host(target).NewDevice(Platform.Macos, 5000);
            Assert.Equal(tenantId, (await newcomer.EnrollAsync(token)).TenantId);
        }
        finally
        {
            devices.ForEach(d => d.Dispose());
        }
    }

    [Theory]
    [InlineData(MoveStep.Export)]
    [InlineData(MoveStep.Import)]
    [InlineData(MoveStep.Verify)]
    [InlineData(MoveStep.Switch)]
    public async Task Move_InterruptedAtStep_TenantStaysWholeAndServedBySource(MoveStep step)
    {
        var (tenantId, token, source) = await CreateTenantAsync($"Interrupted at {step}");
        var target = source == "na-01" ? "na-02" : "na-01";
        var devices = await EnrollAsync(units.Host(source), token, 3);
        try
        {
            await units.QuiesceAsync();
            var before = await TenantSnapshot.ReadAsync(units.Host(source).Unit, tenantId, CancellationToken.None);
            using var output = new StringWriter();
            using var error = new StringWriter();

            var failure = await Assert.ThrowsAsync<IOException>(() => TenantMoveCommand.MoveAsync(
                units.Ops, new CommandOutput(output, error, json: false), tenantId, target,
                s => s == step ? throw new IOException($"connection lost before {s}") : Task.CompletedTask,
                CancellationToken.None));

            Assert.Contains(step.ToString(), failure.Message);
            var entry = (await units.Directory.GetAsync(tenantId))!;
            Assert.Equal((source, TenantDirectoryState.Active, (string?)null), (entry.ScaleUnitId, entry.State, entry.MovingTo));
            Assert.Equal(before.Checksum, (await TenantSnapshot.ReadAsync(units.Host(source).Unit, tenantId, CancellationToken.None)).Checksum);
            Assert.Empty((await TenantSnapshot.ReadAsync(units.Host(target).Unit, tenantId, CancellationToken.None)).Rows);
            foreach (var device in devices)
            {
                Assert.Equal(Intune.Device.V1.ComplianceState.Compliant, (await device.CheckInAsync()).ComplianceState);
            }

            // The next attempt starts clean and completes.
            var (exit, _, retryError) = await units.OpsAsync("tenant", "move", tenantId, "--to", target);
            Assert.True(exit == 0, retryError);
            Assert.Equal(target, (await units.Directory.GetAsync(tenantId))!.ScaleUnitId);
        }
        finally
        {
            devices.ForEach(d => d.Dispose());
        }
    }

    [Fact]
    public async Task Move_AcrossRegions_IsRefusedAndChangesNothing()
    {
        var (tenantId, _, source) = await CreateTenantAsync("Resident NA");

        var (exit, _, error) = await units.OpsAsync("tenant", "move", tenantId, "--to", "eu-01");

        Assert.Equal(Intune.CommandLine.ExitCodes.Refused, exit);
        Assert.Contains("never crosses regions", error);
        Assert.Equal((source, TenantDirectoryState.Active), ((await units.Directory.GetAsync(tenantId))!.ScaleUnitId, (await units.Directory.GetAsync(tenantId))!.State));
    }

    private async Task<(string TenantId, string Token, string Unit)> CreateTenantAsync(string name)
    {
        var (exit, output, error) = await units.OpsAsync("tenant", "create", "--name", name, "--region", "na", "--json");
        Assert.True(exit == 0, error);
        var created = JsonNode.Parse(output)!;
        return ((string)created["id"]!, (string)created["enrollmentToken"]!, (string)created["scaleUnit"]!);
    }

    private static async Task<List<SimulatedDevice>> EnrollAsync(ScaleUnitTestHost host, string token, int count)
    {
        var devices = Enumerable.Range(0, count).Select(i => host.NewDevice((Platform)(1 + (i % 5)), i)).ToList();
        await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (device, ct) =>
        {
            await device.EnrollAsync(token, ct);
            await device.CheckInAsync(ct);
        });
        return devices;
    }
}
