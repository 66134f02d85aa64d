using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Intune.ClusterConfig;
using Intune.CommandLine;
using Intune.Device.V1;
using Intune.Grains;
using Intune.Grains.Groups;
using Intune.Grains.Tenants;
using Intune.Ops.Backups;
using Intune.Ops.Moves;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Intune.Ops.Tests.Backups;

/// <summary>
/// <c>intune-ops backup</c> and <c>restore</c> on real Azurite: every store of the layout is
/// covered, writes during a backup are in it, a damaged backup writes nothing, and a unit whose
/// storage is gone comes back entity for entity with devices keeping their certificates.
/// </summary>
public sealed class BackupTests(ITestOutputHelper log)
{
    /// <summary>Catalog rows seeded beside the enrolled devices: 10,000 in Test, 50,000 under <c>./build.sh --target=Chaos</c>.</summary>
    private static readonly int SeededRows = Environment.GetEnvironmentVariable("INTUNE_CHAOS_FULL") == "1" ? 50_000 : 10_000;

    /// <summary>
    /// A store added to the layout is backed up unless it is named here with its reason: the silo's
    /// stores are all in the layout (StorageLayoutTests), and the catastrophic-loss test below
    /// compares every backed-up store entity by entity after a restore.
    /// </summary>
    [Fact]
    public void Layout_EveryStoreButMembershipIsBackedUp()
    {
        var layout = new ScaleUnitStorageLayout("intune", "svc");

        Assert.Equal(["membership"], layout.Stores.Where(s => !s.BackedUp).Select(s => s.Id));
        Assert.False(string.IsNullOrWhiteSpace(layout.Membership.NotBackedUpBecause));
        Assert.Equal(
            layout.Stores.Where(s => s.BackedUp).Select(s => s.Id).Order(),
            UnitBackup.Tables(layout).Concat(layout.Stores.Where(s => s.Kind == StoreKind.BlobContainer && s.BackedUp)).Select(s => s.Id).Order());
    }

    [Fact]
    [Trait("Category", "Chaos")]
    public async Task CatastrophicLoss_DeleteEverythingThenRestore_EveryEntityEqualAndDevicesCheckIn()
    {
        await using var host = new ScaleUnitTestHost(BackupUnits.NewUnit());
        await host.StartAsync();
        await using var ops = BackupUnits.Environment(host);
        using var workload = await TenantWorkload.CreateAsync(host, devices: 5);
        // Bulk beside the enrolled devices, so the throughput figures are of more than a handful of rows.
        await host.SeedAsync(Guid.NewGuid().ToString(), SeededRows);
        await host.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var (exit, output, error) = await BackupUnits.OpsAsync(ops, "backup", "create", host.Unit.Id, "--json");
        Assert.True(exit == 0, error);
        var created = JsonNode.Parse(output)!;
        var id = (string)created["id"]!;
        log.WriteLine($"backup: {created["rows"]} rows, {created["bytes"]} bytes, {(double)created["rowsPerSecond"]!:F0} rows/s, {(double)created["megabytesPerSecond"]!:F2} MB/s");
        var manifest = await new BackupCatalog(ops).ReadManifestAsync(id, CancellationToken.None);
        var layout = ScaleUnitStorageLayout.For(host.Unit);
        Assert.Equal(layout.Stores.Where(s => s.BackedUp).Select(s => s.Id).Order(), manifest.Stores.Keys.Order());
        foreach (var store in new[] { "grainstate", "devices", "policystatus", "membersets", "certificate-authority" })
        {
            Assert.True(manifest.Stores[store] > 0, $"The backup holds nothing of {store}.");
        }

        Assert.Contains(workload.TenantId, manifest.Tenants);
        var before = await UnitRows.ReadAsync(host.Unit);
        await host.StopAsync();

        // Catastrophe: every table and container of the unit is gone.
        await UnitRows.DeleteEverythingAsync(host.Unit);
        (exit, output, error) = await BackupUnits.OpsAsync(ops, "restore", id, "--to", host.Unit.Id, "--json");
        Assert.True(exit == 0, error);
        var restored = JsonNode.Parse(output)!;
        log.WriteLine($"restore: {restored["rows"]} rows, {(double)restored["rowsPerSecond"]!:F0} rows/s, {(double)restored["megabytesPerSecond"]!:F2} MB/s");

        var after = await UnitRows.ReadAsync(host.Unit);
        Assert.Equal(manifest.Rows, before.Count);
        Assert.Equal(before.Count, after.Count);
        Assert.Equal(before, after);
        await ReliabilityFigures.WriteAsync("catastrophicLoss", new JsonObject
        {
            ["seededRows"] = SeededRows,
            ["entitiesCompared"] = before.Count,
            ["entitiesEqual"] = before.Intersect(after).Count(),
            ["lost"] = before.Except(after).Count(),
            ["backup"] = new JsonObject { ["rows"] = (long)created["rows"]!, ["bytes"] = (long)created["bytes"]!, ["rowsPerSecond"] = Math.Round((double)created["rowsPerSecond"]!), ["megabytesPerSecond"] = Math.Round((double)created["megabytesPerSecond"]!, 2) },
            ["restore"] = new JsonObject { ["rows"] = (long)restored["rows"]!, ["bytes"] = (long)restored["bytes"]!, ["rowsPerSecond"] = Math.Round((double)restored["rowsPerSecond"]!), ["megabytesPerSecond"] = Math.Round((double)restored["megabytesPerSecond"]!, 2) },
        });

        await host.StartAsync();
        foreach (var device in workload.Devices)
        {
            using var again = new Intune.DeviceSim.SimulatedDevice(host.DeviceGateway, device.Profile);
            var client = again.CreateClient(device.Certificate, device.CertificateAuthority);
            var answer = await client.CheckInAsync(new CheckInRequest { Facts = device.Profile.Facts() });
            Assert.True(answer.NextCheckIn.ToDateTimeOffset() > DateTimeOffset.UtcNow);
        }

        using var admin = host.AdminClient(host.AdminToken(workload.TenantId));
        var page = JsonNode.Parse(await admin.GetStringAsync("deviceManagement/managedDevices"))!;
        Assert.Equal(workload.Devices.Select(d => d.DeviceId).Order(), page["value"]!.AsArray().Select(d => (string?)d!["id"]).Order());
    }

    [Fact]
    public async Task Restore_DamagedPartialOrForeignBackup_IsRefusedAndWritesNothing()
    {
        await using var host = new ScaleUnitTestHost(BackupUnits.NewUnit());
        await host.StartAsync();
        await using var ops = BackupUnits.Environment(host);
        using var workload = await TenantWorkload.CreateAsync(host, devices: 2);
        var (exit, output, error) = await BackupUnits.OpsAsync(ops, "backup", "create", host.Unit.Id, "--tenant", workload.TenantId, "--json");
        Assert.True(exit == 0, error);
        var id = (string)JsonNode.Parse(output)!["id"]!;
        var manifest = await new BackupCatalog(ops).ReadManifestAsync(id, CancellationToken.None);
        var container = BackupCatalog.Container(ops);
        var fresh = BackupUnits.NewUnit();
        await using var targetOps = BackupUnits.Environment(host, fresh, backupsOf: ops);

        // Damaged: one byte of one chunk changed.
        var chunk = container.GetBlobClient(manifest.Chunks[^1].Name);
        var bytes = (await chunk.DownloadContentAsync()).Value.Content.ToArray();
        bytes[^2] ^= 0x20;
        await chunk.UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);
        (exit, output, _) = await BackupUnits.OpsAsync(targetOps, "backup", "verify", id, "--json");
        Assert.Equal(ExitCodes.Failed, exit);
        Assert.False((bool)JsonNode.Parse(output)!["ok"]!);
        (exit, _, error) = await BackupUnits.OpsAsync(targetOps, "restore", id, "--to", fresh.Id);
        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Contains("damaged", error);

        // Foreign: a manifest of another format version.
        var manifestBlob = container.GetBlobClient(BackupCatalog.ManifestName(id));
        var text = (await manifestBlob.DownloadContentAsync()).Value.Content.ToString();
        await manifestBlob.UploadAsync(BinaryData.FromString(text.Replace($"\"layoutVersion\": {ScaleUnitStorageLayout.Version}", "\"layoutVersion\": 99", StringComparison.Ordinal)), overwrite: true);
        (exit, _, error) = await BackupUnits.OpsAsync(targetOps, "restore", id, "--to", fresh.Id);
        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Contains("foreign", error);

        // Partial: the manifest is gone.
        await manifestBlob.DeleteAsync();
        (exit, _, error) = await BackupUnits.OpsAsync(targetOps, "restore", id, "--to", fresh.Id);
        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Contains("partial", error);

        (exit, _, error) = await BackupUnits.OpsAsync(targetOps, "restore", "na-01-19700101T000000000Z", "--to", fresh.Id);
        Assert.Equal(ExitCodes.NotFound, exit);
        Assert.Contains("does not exist", error);

        Assert.Empty(await UnitRows.ReadAsync(fresh));
    }

    [Fact]
    [Trait("Category", "Chaos")]
    public async Task Backup_WhileWritesGoOn_HoldsEveryWriteAcknowledgedBeforeItsRecoveryPoint()
    {
        await using var host = new ScaleUnitTestHost(BackupUnits.NewUnit());
        await host.StartAsync();
        await using var ops = BackupUnits.Environment(host);
        var (tenantId, _) = await host.CreateTenantAsync("Busy Co");
        var group = host.Grains.GetGrain<IGroupGrain>(GrainKeys.Scoped(tenantId, Guid.NewGuid().ToString()));
        await group.CreateAsync("Growing", null);
        var acknowledged = new List<string>();
        // Completed by the writer itself once 20 more writes are acknowledged after the first pass: no polling.
        var twentyMore = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var twentyMoreAt = int.MaxValue;
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var id = Guid.NewGuid().ToString();
                await group.AddMembersAsync([new GroupMember(GroupMemberKind.Device, id)]);
                lock (acknowledged)
                {
                    acknowledged.Add(id);
                    if (acknowledged.Count >= twentyMoreAt)
                    {
                        twentyMore.TrySetResult();
                    }
                }
            }
        });
        var writesSeenByFirstPass = 0;
        var backup = new UnitBackup(ops)
        {
            // The first pass has read everything: the writes from here on are found by the change passes.
            AfterFirstPass = async () =>
            {
                lock (acknowledged)
                {
                    writesSeenByFirstPass = acknowledged.Count;
                    twentyMoreAt = writesSeenByFirstPass + 20;
                }

                await twentyMore.Task.WaitAsync(TimeSpan.FromMinutes(2));
            },
        };

        var result = await backup.CreateAsync(host.Unit.Id, tenantId, CancellationToken.None);
        string[] beforeRecoveryPoint;
        lock (acknowledged)
        {
            beforeRecoveryPoint = [.. acknowledged];
        }

        await stop.CancelAsync();
        await writer;

        // Every member acknowledged before the backup finished its last change pass started is in it.
        var restored = BackupUnits.NewUnit();
        var restoreOps = BackupUnits.Environment(host, restored, backupsOf: ops);
        var restore = await new UnitRestore(restoreOps).RestoreAsync(result.Manifest.Id, restored.Id, tenantId, CancellationToken.None);
        await restoreOps.DisposeAsync();
        var rows = (await TenantSnapshot.ReadAsync(restored, tenantId, CancellationToken.None)).Rows.Where(r => r.Table == "membersets").Select(r => r.RowKey).ToHashSet();
        log.WriteLine($"{beforeRecoveryPoint.Length} members acknowledged by the end of the backup, {result.Manifest.ChangedDuringBackup} rows changed during it, {result.Manifest.Passes} passes, restored {restore.Rows}");
        Assert.True(result.Manifest.ChangedDuringBackup >= 20, "Writes after the first pass were found by a change pass.");
        Assert.Empty(beforeRecoveryPoint.Take(writesSeenByFirstPass + 20).Except(rows));
        await ReliabilityFigures.WriteAsync("backupWhileWriting", new JsonObject
        {
            ["membersAcknowledged"] = beforeRecoveryPoint.Length,
            ["rowsChangedDuringBackup"] = result.Manifest.ChangedDuringBackup,
            ["passes"] = result.Manifest.Passes,
            ["acknowledgedBeforeRecoveryPointLost"] = beforeRecoveryPoint.Take(writesSeenByFirstPass + 20).Except(rows).Count(),
            ["recoveryPointGapWrites"] = beforeRecoveryPoint.Except(rows).Count(),
        });
    }

    [Fact]
    public async Task Create_RetentionByCountAndAge_KeepsTheNewestAndDeletesTheRest()
    {
        await using var host = new ScaleUnitTestHost(BackupUnits.NewUnit());
        await host.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var ops = BackupUnits.Environment(host, time: time);
        var (tenantId, _) = await host.CreateTenantAsync("Kept Co");
        var ids = new List<string>();
        for (var day = 0; day < 4; day++)
        {
            var (exit, output, error) = await BackupUnits.OpsAsync(ops, "backup", "create", host.Unit.Id, "--tenant", tenantId, "--keep", "3", "--json");
            Assert.True(exit == 0, error);
            var created = JsonNode.Parse(output)!;
            ids.Add((string)created["id"]!);
            Assert.Equal(day < 3 ? Array.Empty<string>() : new[] { ids[0] }, created["retentionDeleted"]!.AsArray().Select(n => (string)n!));
            time.Advance(TimeSpan.FromDays(1));
        }

        // By age: a day later, backups older than 36 hours go although the count would keep them.
        var (ageExit, ageOutput, ageError) = await BackupUnits.OpsAsync(ops, "backup", "create", host.Unit.Id, "--tenant", tenantId, "--keep", "10", "--max-age", "36h", "--json");
        Assert.True(ageExit == 0, ageError);
        Assert.Equal(ids.Skip(1).Take(2), JsonNode.Parse(ageOutput)!["retentionDeleted"]!.AsArray().Select(n => (string)n!).Order());

        var (listExit, listOutput, _) = await BackupUnits.OpsAsync(ops, "backup", "list", "--unit", host.Unit.Id, "--json");
        Assert.Equal(ExitCodes.Ok, listExit);
        Assert.Equal(new[] { (string)JsonNode.Parse(ageOutput)!["id"]!, ids[3] }, JsonNode.Parse(listOutput)!.AsArray().Select(e => (string)e!["id"]!));

        var (badExit, _, badError) = await BackupUnits.OpsAsync(ops, "backup", "create", host.Unit.Id, "--keep", "0");
        Assert.Equal(ExitCodes.Usage, badExit);
        Assert.Contains("--keep 0", badError);
    }
}
