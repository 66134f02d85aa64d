using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Intune.ClusterConfig;
using Intune.Ops.Moves;

namespace Intune.Ops.Backups;

/// <summary>What a restore wrote, and how fast.</summary>
public sealed record RestoreResult(string BackupId, string To, string? Tenant, IReadOnlyDictionary<string, long> Stores, long Rows, long Bytes, TimeSpan Elapsed)
{
    public double RowsPerSecond => Rows / Math.Max(Elapsed.TotalSeconds, 0.001);

    public double MegabytesPerSecond => Bytes / 1e6 / Math.Max(Elapsed.TotalSeconds, 0.001);
}

/// <summary>
/// <c>intune-ops restore &lt;backup&gt; --to &lt;unit&gt; [--tenant &lt;id&gt;]</c>: every chunk is read and
/// checked (size, SHA-256, each row's checksum, the whole digest) before the first write, so a
/// damaged, partial or foreign backup writes nothing. A unit restore goes into an empty unit (the
/// catastrophic case, or a fresh unit with another ServiceId: Orleans rows are re-keyed to the
/// target's ServiceId) and brings the unit's CA back, so devices keep their certificates; a tenant
/// restore goes into a unit that holds none of the tenant's rows, and the target trusts the
/// backup's CA. The unit's silos should be stopped during a unit restore (they would keep a CA
/// and state of their own in memory).
/// </summary>
public sealed class UnitRestore(OpsEnvironment env, Func<string, long, long, Task>? progress = null)
{
    public async Task<RestoreResult> RestoreAsync(string backupId, string targetUnitId, string? tenantId, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var catalog = new BackupCatalog(env);
        var manifest = await catalog.ReadManifestAsync(backupId, cancellationToken);
        var target = env.Topology.Unit(targetUnitId);
        if (manifest.Region != target.Region)
        {
            throw new OpsException($"Backup '{backupId}' holds data of region '{manifest.Region}'; {target.Id} is in '{target.Region}' and data never crosses regions.");
        }

        if (tenantId is not null && !manifest.Tenants.Contains(tenantId, StringComparer.Ordinal))
        {
            throw new OpsException($"Backup '{backupId}' does not hold tenant '{tenantId}' (it holds {manifest.Tenants.Count} tenants).");
        }

        if (tenantId is null && manifest.Tenant is not null)
        {
            tenantId = manifest.Tenant; // a tenant backup restores its tenant only
        }

        var storage = new ScaleUnitStorage(target);
        var layout = storage.Layout;
        var rows = new List<SnapshotRow>();
        var blobs = new List<BackupLine>();
        long verified = 0;
        var verification = await catalog.VerifyAsync(manifest, async (chunk, content) =>
        {
            foreach (var text in Encoding.UTF8.GetString(content).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var line = JsonSerializer.Deserialize<BackupLine>(text, BackupJson.Options)
                    ?? throw new OpsException($"Backup '{backupId}': chunk {chunk.Name} holds an empty line.");
                if (line.IsBlob)
                {
                    blobs.Add(line);
                    continue;
                }

                var row = line.ToRow();
                if (row.Checksum != line.Checksum)
                {
                    throw new OpsException($"Backup '{backupId}': a row of {line.Store} in chunk {chunk.Name} does not match its checksum; nothing was restored.");
                }

                rows.Add(row);
            }

            verified += chunk.Rows;
            await ReportAsync("Verify", verified, manifest.Rows);
        }, cancellationToken);
        if (!verification.Ok)
        {
            throw new OpsException($"Backup '{backupId}' failed verification, nothing was restored: {string.Join("; ", verification.Problems)}.");
        }

        if (rows.Count + blobs.Count != manifest.Rows || rows.Any(r => !layout.Stores.Any(s => s.Id == r.Table && s.BackedUp)))
        {
            throw new OpsException($"Backup '{backupId}' is inconsistent with its manifest or with this layout; nothing was restored.");
        }

        if (tenantId is not null)
        {
            var source = new ScaleUnitStorageLayout(layout.StoragePrefix, manifest.ServiceId);
            rows = rows.Where(r => r.ServiceScoped
                ? source.IsTenantGrainRow(source.ServicePrefix + r.PartitionKeySuffix, r.Properties.GetValueOrDefault("GrainReference") as string, tenantId)
                : ScaleUnitStorageLayout.IsTenantKeyedRow(r.PartitionKeySuffix, tenantId)).ToList();
            blobs = blobs.Where(b => layout.Store(b.Store).Keying == StoreKeying.TenantBlob && ScaleUnitStorageLayout.IsTenantBlob(b.BlobName!, tenantId)).ToList();
            await RefuseUnlessTenantAbsentAsync(target, tenantId, cancellationToken);
        }
        else
        {
            await RefuseUnlessEmptyAsync(storage, cancellationToken);
        }

        long written = 0;
        await TenantMover.RunBatchesAsync(target, rows, TableTransactionActionType.UpsertReplace, async count =>
        {
            var now = Interlocked.Add(ref written, count);
            await ReportAsync("Restore", now, rows.Count);
        }, cancellationToken);

        foreach (var blob in blobs)
        {
            var container = storage.Container(layout.Store(blob.Store));
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await container.GetBlobClient(blob.BlobName).UploadAsync(BinaryData.FromBytes(Convert.FromBase64String(blob.BlobContent!)), overwrite: true, cancellationToken);
        }

        if (tenantId is not null && manifest.ScaleUnit != target.Id && manifest.AuthorityCertificate is { } authority)
        {
            // The tenant's devices hold certificates of the backup's unit CA: the target accepts them.
            await UnitBlobs.TrustAsync(target, manifest.ScaleUnit, Convert.FromBase64String(authority), cancellationToken);
        }

        var stores = rows.Select(r => r.Table).Concat(blobs.Select(b => b.Store)).GroupBy(s => s).ToDictionary(g => g.Key, g => (long)g.Count());
        return new RestoreResult(manifest.Id, target.Id, tenantId, stores, rows.Count + blobs.Count, verification.Bytes, clock.Elapsed);
    }

    private Task ReportAsync(string step, long done, long total) => progress is null ? Task.CompletedTask : progress(step, done, total);

    /// <summary>A unit restore writes into an empty unit only: nothing of its ServiceId, no tenant rows, no CA.</summary>
    private static async Task RefuseUnlessEmptyAsync(ScaleUnitStorage storage, CancellationToken cancellationToken)
    {
        foreach (var store in UnitBackup.Tables(storage.Layout))
        {
            await foreach (var row in UnitBackup.ReadScopeAsync(storage, store, tenantId: null, select: ["PartitionKey"], cancellationToken))
            {
                throw new OpsException($"Scale unit storage is not empty: {store.Name} holds rows (e.g. partition '{row.PartitionKey}'). A unit restore goes into an empty unit; restore one tenant with --tenant instead.");
            }
        }

        try
        {
            if (await storage.Container(storage.Layout.CertificateAuthority).GetBlobClient(ScaleUnitStorageLayout.AuthorityBlob).ExistsAsync(cancellationToken))
            {
                throw new OpsException("Scale unit already has a certificate authority of its own; a unit restore goes into an empty unit (start it only after the restore).");
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    private static async Task RefuseUnlessTenantAbsentAsync(ScaleUnitOptions target, string tenantId, CancellationToken cancellationToken)
    {
        var existing = await TenantSnapshot.ReadAsync(target, tenantId, cancellationToken);
        if (existing.Rows.Count > 0)
        {
            throw new OpsException($"Scale unit {target.Id} already holds {existing.Rows.Count} rows of tenant '{tenantId}'; nothing was restored.");
        }
    }
}
