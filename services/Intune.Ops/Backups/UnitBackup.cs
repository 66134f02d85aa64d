using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Intune.ClusterConfig;
using Intune.Ops.Moves;

namespace Intune.Ops.Backups;

/// <summary>What a finished backup wrote, and how fast.</summary>
public sealed record BackupResult(BackupManifest Manifest, TimeSpan Elapsed, IReadOnlyList<string> RetentionDeleted)
{
    public double RowsPerSecond => Manifest.Rows / Math.Max(Elapsed.TotalSeconds, 0.001);

    public double MegabytesPerSecond => Manifest.Bytes / 1e6 / Math.Max(Elapsed.TotalSeconds, 0.001);
}

/// <summary>
/// <c>intune-ops backup create</c>: every store of the unit's layout (or one tenant's rows of each,
/// by key scheme) into chunk files and a manifest in the backup account.
/// </summary>
/// <remarks>
/// Consistency while the unit serves traffic, without holding writes: a first pass reads every row
/// in scope with its ETag; then change passes list the keys and ETags again and re-read each row
/// whose ETag moved (dropping rows that are gone), until a pass finds nothing changed (at most
/// <see cref="MaxChangePasses"/>). Every write acknowledged before the last pass began is in the
/// backup, at that row's state or a later one: that instant is the manifest's
/// <c>consistentAt</c>, the recovery point. A pass costs one key-only scan of the scope; rows
/// are not transactional across tables in the unit itself, so neither are they here.
/// </remarks>
public sealed class UnitBackup(OpsEnvironment env, Func<string, long, long, Task>? progress = null)
{
    private const int MaxChangePasses = 5;
    private const int ReadParallelism = 16;
    private static readonly string[] KeyColumns = ["PartitionKey", "RowKey", "GrainReference"];

    /// <summary>Called after the first pass has read everything (tests write here to prove the change passes).</summary>
    public Func<Task>? AfterFirstPass { get; init; }

    /// <summary>Overrides the topology's retention (<c>backup create --keep</c>, <c>--max-age</c>).</summary>
    public BackupRetention? Retention { get; init; }

    public async Task<BackupResult> CreateAsync(string unitId, string? tenantId, CancellationToken cancellationToken)
    {
        var options = BackupCatalog.Options(env);
        var unit = env.Topology.Unit(unitId);
        var storage = new ScaleUnitStorage(unit);
        var layout = storage.Layout;
        var clock = Stopwatch.StartNew();
        var createdAt = env.Time.GetUtcNow();
        var id = BackupCatalog.NewId(unit.Id, tenantId, createdAt);

        var rows = new Dictionary<(string Store, string Pk, string Rk), TableEntity>();
        var tables = Tables(layout).ToList();
        await ReportAsync("Read", 0, tables.Count);
        foreach (var (store, index) in tables.Select((t, i) => (t, i)))
        {
            await foreach (var entity in ReadScopeAsync(storage, store, tenantId, select: null, cancellationToken))
            {
                rows[(store.Id, entity.PartitionKey, entity.RowKey)] = entity;
            }

            await ReportAsync("Read", index + 1, tables.Count);
        }

        if (AfterFirstPass is not null)
        {
            await AfterFirstPass();
        }

        var consistentAt = env.Time.GetUtcNow();
        var changedTotal = 0;
        var passes = 1;
        for (var pass = 0; pass < MaxChangePasses; pass++)
        {
            passes++;
            consistentAt = env.Time.GetUtcNow();
            var changed = await ChangePassAsync(storage, tenantId, rows, cancellationToken);
            changedTotal += changed;
            await ReportAsync("Changes", changed == 0 ? MaxChangePasses : pass + 1, MaxChangePasses);
            if (changed == 0)
            {
                break;
            }
        }

        var blobs = await ReadBlobsAsync(storage, tenantId, cancellationToken);
        var lines = rows
            .OrderBy(r => r.Key.Store, StringComparer.Ordinal).ThenBy(r => r.Key.Pk, StringComparer.Ordinal).ThenBy(r => r.Key.Rk, StringComparer.Ordinal)
            .Select(r => BackupLine.Of(SnapshotRow.From(r.Key.Store, r.Value, layout.Store(r.Key.Store).Keying == StoreKeying.ServiceId ? layout.ServicePrefix : null)))
            .Concat(blobs)
            .ToList();

        var container = BackupCatalog.Container(env);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var chunks = new List<BackupChunk>();
        long bytes = 0;
        var written = 0;
        foreach (var group in lines.GroupBy(l => l.Store))
        {
            foreach (var chunkLines in group.Chunk(options.ChunkRows))
            {
                var content = Encoding.UTF8.GetBytes(string.Join('\n', chunkLines.Select(l => JsonSerializer.Serialize(l, BackupJson.Options))) + "\n");
                var name = $"{id}/chunks/{chunks.Count:D6}-{group.Key}.jsonl";
                await container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(content), overwrite: true, cancellationToken);
                chunks.Add(new BackupChunk(name, group.Key, chunkLines.Length, content.Length, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(content))));
                bytes += content.Length;
                written += chunkLines.Length;
                await ReportAsync("Write", written, lines.Count);
            }
        }

        var manifest = new BackupManifest
        {
            LayoutVersion = ScaleUnitStorageLayout.Version,
            Id = id,
            ScaleUnit = unit.Id,
            ServiceId = unit.ServiceId,
            Region = unit.Region,
            Tenant = tenantId,
            Tenants = tenantId is not null ? [tenantId] : TenantsOf(layout, rows.Keys),
            CreatedAt = createdAt,
            ConsistentAt = consistentAt,
            ChangedDuringBackup = changedTotal,
            Passes = passes,
            Stores = layout.Stores.Where(s => s.BackedUp).ToDictionary(s => s.Id, s => (long)lines.Count(l => l.Store == s.Id)),
            Chunks = chunks,
            Rows = lines.Count,
            Bytes = bytes,
            Sha256 = BackupManifest.WholeDigest(chunks),
            AuthorityCertificate = await AuthorityCertificateAsync(unit, cancellationToken),
        };

        // The manifest goes last: a backup interrupted before it is partial, and never restored.
        await container.GetBlobClient(BackupCatalog.ManifestName(id))
            .UploadAsync(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(manifest, BackupJson.Manifest)), overwrite: true, cancellationToken);
        var deleted = await new BackupCatalog(env).ApplyRetentionAsync(unit.Id, keep: id, Retention ?? BackupRetention.From(options), cancellationToken);
        return new BackupResult(manifest, clock.Elapsed, deleted);
    }

    private Task ReportAsync(string step, long done, long total) => progress is null ? Task.CompletedTask : progress(step, done, total);

    /// <summary>The tables a backup copies: every table of the layout that is backed up.</summary>
    internal static IEnumerable<UnitStore> Tables(ScaleUnitStorageLayout layout) => layout.Stores.Where(s => s.BackedUp && s.Kind == StoreKind.Table);

    /// <summary>The rows of one store in the backup's scope: the unit's own rows, or one tenant's by key scheme.</summary>
    internal static async IAsyncEnumerable<TableEntity> ReadScopeAsync(
        ScaleUnitStorage storage, UnitStore store, string? tenantId, IEnumerable<string>? select, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var layout = storage.Layout;
        var (start, end) = store.Keying == StoreKeying.ServiceId || tenantId is null
            ? store.Keying == StoreKeying.ServiceId ? layout.ServiceRange() : (string.Empty, string.Empty)
            : ScaleUnitStorageLayout.TenantRange(tenantId);
        var filter = start.Length == 0 ? null : TableClient.CreateQueryFilter($"PartitionKey ge {start} and PartitionKey lt {end}");
        await foreach (var entity in TenantSnapshot.QueryOrEmpty(storage.Table(store), filter, cancellationToken, select))
        {
            if (tenantId is null || store.Keying != StoreKeying.ServiceId || layout.IsTenantGrainRow(entity.PartitionKey, entity.GetString("GrainReference"), tenantId))
            {
                yield return entity;
            }
        }
    }

    /// <summary>Re-reads the rows whose ETag moved since they were read and drops those now gone; returns how many changed.</summary>
    private static async Task<int> ChangePassAsync(ScaleUnitStorage storage, string? tenantId, Dictionary<(string Store, string Pk, string Rk), TableEntity> rows, CancellationToken cancellationToken)
    {
        var seen = new HashSet<(string, string, string)>();
        var changed = new List<(UnitStore Store, string Pk, string Rk)>();
        foreach (var store in Tables(storage.Layout))
        {
            await foreach (var key in ReadScopeAsync(storage, store, tenantId, KeyColumns, cancellationToken))
            {
                var id = (store.Id, key.PartitionKey, key.RowKey);
                seen.Add(id);
                if (!rows.TryGetValue(id, out var known) || known.ETag != key.ETag)
                {
                    changed.Add((store, key.PartitionKey, key.RowKey));
                }
            }
        }

        var gone = rows.Keys.Where(k => !seen.Contains(k)).ToList();
        foreach (var key in gone)
        {
            rows.Remove(key);
        }

        var reread = new System.Collections.Concurrent.ConcurrentBag<((string, string, string) Key, TableEntity? Entity)>();
        await Parallel.ForEachAsync(changed, new ParallelOptions { MaxDegreeOfParallelism = ReadParallelism, CancellationToken = cancellationToken }, async (c, ct) =>
        {
            var response = await storage.Table(c.Store).GetEntityIfExistsAsync<TableEntity>(c.Pk, c.Rk, cancellationToken: ct);
            reread.Add(((c.Store.Id, c.Pk, c.Rk), response.HasValue ? response.Value : null));
        });
        foreach (var (key, entity) in reread)
        {
            if (entity is null)
            {
                rows.Remove(key);
            }
            else
            {
                rows[key] = entity;
            }
        }

        return changed.Count + gone.Count;
    }

    /// <summary>Every blob of the backed-up containers: all of them for the unit, the tenant's own for a tenant.</summary>
    private static async Task<List<BackupLine>> ReadBlobsAsync(ScaleUnitStorage storage, string? tenantId, CancellationToken cancellationToken)
    {
        var lines = new List<BackupLine>();
        foreach (var store in storage.Layout.Stores.Where(s => s.BackedUp && s.Kind == StoreKind.BlobContainer))
        {
            if (tenantId is not null && store.Keying != StoreKeying.TenantBlob)
            {
                continue; // the unit's CA stays with the unit; a tenant's manifest carries its public certificate
            }

            var container = storage.Container(store);
            try
            {
                await foreach (var blob in container.GetBlobsAsync(cancellationToken: cancellationToken))
                {
                    if (tenantId is null || ScaleUnitStorageLayout.IsTenantBlob(blob.Name, tenantId))
                    {
                        var content = await container.GetBlobClient(blob.Name).DownloadContentAsync(cancellationToken);
                        lines.Add(BackupLine.Of(store.Id, blob.Name, content.Value.Content.ToArray()));
                    }
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // The unit never created this container.
            }
        }

        return lines;
    }

    private static List<string> TenantsOf(ScaleUnitStorageLayout layout, IEnumerable<(string Store, string Pk, string Rk)> keys)
    {
        var tenantPrefix = layout.ServicePrefix + "tenant_";
        return keys.Where(k => k.Store == layout.GrainState.Id && k.Pk.StartsWith(tenantPrefix, StringComparison.Ordinal))
            .Select(k => k.Pk[tenantPrefix.Length..])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static async Task<string?> AuthorityCertificateAsync(ScaleUnitOptions unit, CancellationToken cancellationToken)
    {
        try
        {
            return Convert.ToBase64String(await UnitBlobs.AuthorityCertificateAsync(unit, cancellationToken));
        }
        catch (OpsException)
        {
            return null; // the unit has not issued a certificate yet
        }
    }

    internal static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);
}
