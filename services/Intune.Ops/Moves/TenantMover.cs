using Azure;
using Azure.Data.Tables;
using Intune.ClusterConfig;
using Intune.Grains.Tenants;
using Intune.Routing;

namespace Intune.Ops.Moves;

/// <summary>The steps of a move, in order; a test can fail any of them to prove the move is safe.</summary>
public enum MoveStep
{
    Lock,
    Export,
    Import,
    Verify,
    Switch,
    Cleanup,
}

/// <summary>What a finished move did.</summary>
public sealed record TenantMoveResult(string TenantId, string From, string To, IReadOnlyDictionary<string, int> Counts, string Checksum);

/// <summary>
/// Moves a tenant between scale units (docs/architecture.md §7): export its rows from the source
/// unit's storage, import them into the target's under the target's ServiceId, verify counts and
/// SHA-256 checksums on both sides, switch the directory, and only then delete the source rows.
/// Until the switch the directory names the source, so a move stopped at any point (error, crash,
/// Ctrl-C) leaves the tenant whole and served there; the copy on the target is removed on error
/// and again at the start of the next attempt. While it copies, a mark in the source unit makes
/// gateways hold the tenant's writes (reads go on); after the switch the mark sends devices to
/// the target, which trusts the source's CA, so devices keep their certificates.
/// </summary>
public sealed class TenantMover(OpsEnvironment env, Func<MoveStep, int, int, Task>? progress = null)
{
    private const int BatchSize = 100;
    private const int Parallelism = 16;

    /// <summary>Called before each step; tests throw from it to interrupt a move there.</summary>
    public Func<MoveStep, Task>? BeforeStep { get; init; }

    public async Task<TenantMoveResult> MoveAsync(string tenantId, string targetUnitId, CancellationToken cancellationToken)
    {
        var entry = await env.Directory.GetAsync(tenantId, cancellationToken)
            ?? throw new OpsException($"Tenant '{tenantId}' is not in the tenant directory.", Intune.CommandLine.ExitCodes.NotFound);
        var target = env.Topology.Unit(targetUnitId);
        if (entry.State != TenantDirectoryState.Active && !(entry.State == TenantDirectoryState.Moving && entry.MovingTo is not null))
        {
            throw new OpsException($"Tenant '{tenantId}' is {entry.State}; only an active tenant can move.");
        }

        if (entry.ScaleUnitId == target.Id)
        {
            throw new OpsException($"Tenant '{tenantId}' is already on {target.Id}.");
        }

        if (entry.Region != target.Region)
        {
            throw new OpsException($"Tenant '{tenantId}' lives in region '{entry.Region}'; {target.Id} is in '{target.Region}' and a move never crosses regions (data residency).");
        }

        var source = env.Topology.Unit(entry.ScaleUnitId);
        await StepAsync(MoveStep.Lock);
        // The directory records the move before any copy, so two operators cannot move one tenant
        // at once (ETag); the tenant is still routed to the source while it says Moving.
        var moving = await env.Directory.UpdateAsync(entry with { State = TenantDirectoryState.Moving, MovingTo = target.Id }, cancellationToken);
        try
        {
            // The source's gateways hold the tenant's writes from here on (reads go on); waiting
            // out their mark cache means no write lands on the source after the export read it.
            await UnitBlobs.SetMarkAsync(source, tenantId, new TenantMoveMark(TenantMovePhase.Moving, target.Id, null, null, env.Time.GetUtcNow()), cancellationToken);
            if (env.Topology.Directory.MoveDrainSeconds > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(env.Topology.Directory.MoveDrainSeconds), env.Time, cancellationToken);
            }

            await ClearAsync(target, tenantId, cancellationToken); // leftovers of an earlier, interrupted attempt
            await UnitBlobs.ClearMarkAsync(target, tenantId, cancellationToken); // the tenant lived there once and is coming back
            var sourceAuthority = await UnitBlobs.AuthorityCertificateAsync(source, cancellationToken);
            var targetAuthority = await UnitBlobs.AuthorityCertificateAsync(target, cancellationToken);

            await StepAsync(MoveStep.Export);
            var snapshot = await TenantSnapshot.ReadAsync(source, tenantId, cancellationToken);
            await ReportAsync(MoveStep.Export, snapshot.Rows.Count, snapshot.Rows.Count);

            await StepAsync(MoveStep.Import);
            await WriteAsync(target, snapshot.Rows, MoveStep.Import, cancellationToken);
            // Devices keep the certificates the source issued: the target trusts its CA from now on.
            await UnitBlobs.TrustAsync(target, source.Id, sourceAuthority, cancellationToken);

            await StepAsync(MoveStep.Verify);
            var copied = await TenantSnapshot.ReadAsync(target, tenantId, cancellationToken);
            var again = await TenantSnapshot.ReadAsync(source, tenantId, cancellationToken);
            Verify(snapshot, copied, "target", target);
            // A write that reached the source during the copy would be lost by switching now.
            Verify(snapshot, again, "source (changed during the copy)", source);
            await ReportAsync(MoveStep.Verify, copied.Rows.Count, snapshot.Rows.Count);

            await StepAsync(MoveStep.Switch);
            await env.Directory.UpdateAsync(
                moving with { ScaleUnitId = target.Id, PreviousScaleUnitId = source.Id, State = TenantDirectoryState.Active, MovingTo = null },
                cancellationToken);
            // Devices that still call the source are sent to the target, with its CA to pin.
            await UnitBlobs.SetMarkAsync(
                source, tenantId, new TenantMoveMark(TenantMovePhase.Moved, target.Id, target.DeviceEndpoint, targetAuthority, env.Time.GetUtcNow()), CancellationToken.None);
            await ReportAsync(MoveStep.Switch, 1, 1);

            await StepAsync(MoveStep.Cleanup);
            await DeleteAsync(source, snapshot.Rows, cancellationToken);
            return new TenantMoveResult(tenantId, source.Id, target.Id, snapshot.Counts(ScaleUnitStorageLayout.For(source)), snapshot.Checksum);
        }
        catch (Exception)
        {
            await RollBackAsync(moving, target, tenantId);
            throw;
        }

        Task StepAsync(MoveStep step) => BeforeStep is null ? Task.CompletedTask : BeforeStep(step);
    }

    /// <summary>
    /// Undoes an unfinished move: the target's copy is deleted and the directory set back to the
    /// source. After the switch nothing is undone (the target is the verified, serving copy and
    /// cleanup can simply run again).
    /// </summary>
    private async Task RollBackAsync(TenantDirectoryEntry moving, ScaleUnitOptions target, string tenantId)
    {
        var current = await env.Directory.GetAsync(tenantId, CancellationToken.None);
        if (current is { State: TenantDirectoryState.Moving, MovingTo: var to } && to == target.Id && current.ScaleUnitId == moving.ScaleUnitId)
        {
            await ClearAsync(target, tenantId, CancellationToken.None);
            await UnitBlobs.ClearMarkAsync(env.Topology.Unit(moving.ScaleUnitId), tenantId, CancellationToken.None); // writable on the source again
            await env.Directory.UpdateAsync(current with { State = TenantDirectoryState.Active, MovingTo = null }, CancellationToken.None);
        }
    }

    private static void Verify(TenantSnapshot expected, TenantSnapshot actual, string side, ScaleUnitOptions unit)
    {
        var layout = ScaleUnitStorageLayout.For(unit);
        var actualCounts = actual.Counts(layout);
        foreach (var (table, count) in expected.Counts(layout))
        {
            if (actualCounts[table] != count)
            {
                throw new OpsException($"Verification failed on the {side} {unit.Id}: {table} has {actualCounts[table]} rows of the tenant, expected {count}. The tenant stays on its source unit.", Intune.CommandLine.ExitCodes.Failed);
            }
        }

        if (actual.Checksum != expected.Checksum)
        {
            throw new OpsException($"Verification failed on the {side} {unit.Id}: SHA-256 {actual.Checksum} differs from the export's {expected.Checksum}. The tenant stays on its source unit.", Intune.CommandLine.ExitCodes.Failed);
        }
    }

    private async Task ClearAsync(ScaleUnitOptions unit, string tenantId, CancellationToken cancellationToken)
    {
        var existing = await TenantSnapshot.ReadAsync(unit, tenantId, cancellationToken);
        await DeleteAsync(unit, existing.Rows, cancellationToken);
    }

    private async Task WriteAsync(ScaleUnitOptions unit, IReadOnlyList<SnapshotRow> rows, MoveStep step, CancellationToken cancellationToken)
    {
        var done = 0;
        await RunBatchesAsync(unit, rows, TableTransactionActionType.UpsertReplace, async count =>
        {
            var now = Interlocked.Add(ref done, count);
            await ReportAsync(step, now, rows.Count);
        }, cancellationToken);
    }

    private async Task DeleteAsync(ScaleUnitOptions unit, IReadOnlyList<SnapshotRow> rows, CancellationToken cancellationToken)
    {
        var done = 0;
        await RunBatchesAsync(unit, rows, TableTransactionActionType.Delete, async count =>
        {
            var now = Interlocked.Add(ref done, count);
            await ReportAsync(MoveStep.Cleanup, now, rows.Count);
        }, cancellationToken);
    }

    /// <summary>Batch transactions (100 rows of one partition each), 16 in flight: the bulk rate Azure Table and Azurite sustain.</summary>
    internal static async Task RunBatchesAsync(ScaleUnitOptions unit, IReadOnlyList<SnapshotRow> rows, TableTransactionActionType action, Func<int, Task> done, CancellationToken cancellationToken)
    {
        var storage = new ScaleUnitStorage(unit);
        var prefix = storage.Layout.ServicePrefix;
        var batches = rows
            .Select(r => (r.Table, Entity: r.ToEntity(prefix)))
            .GroupBy(r => (r.Table, r.Entity.PartitionKey))
            .SelectMany(g => g.Chunk(BatchSize).Select(chunk => (Table: g.Key.Table, Entities: chunk.Select(c => c.Entity).ToList())))
            .ToList();
        var clients = TenantSnapshot.Tables(storage.Layout).ToDictionary(t => t.Id, storage.Table);
        if (action != TableTransactionActionType.Delete)
        {
            foreach (var table in batches.Select(b => b.Table).Distinct())
            {
                await clients[table].CreateIfNotExistsAsync(cancellationToken);
            }
        }

        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (batch, ct) =>
        {
            var client = clients[batch.Table];
            if (batch.Entities.Count == 1)
            {
                var entity = batch.Entities[0];
                if (action == TableTransactionActionType.Delete)
                {
                    await client.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, ETag.All, ct);
                }
                else
                {
                    await client.UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
                }
            }
            else
            {
                await client.SubmitTransactionAsync(batch.Entities.Select(e => new TableTransactionAction(action, e, ETag.All)), ct);
            }

            await done(batch.Entities.Count);
        });
    }

    private Task ReportAsync(MoveStep step, int done, int total) => progress is null ? Task.CompletedTask : progress(step, done, total);
}
