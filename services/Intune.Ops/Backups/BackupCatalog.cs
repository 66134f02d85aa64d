using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Intune.ClusterConfig;
using Intune.CommandLine;

namespace Intune.Ops.Backups;

/// <summary>A backup as <c>backup list</c> shows it: complete (a manifest) or partial (chunks only).</summary>
public sealed record BackupEntry(string Id, BackupManifest? Manifest)
{
    public bool Complete => Manifest is not null;
}

/// <summary>What <c>backup verify</c> found: every chunk re-read and hashed.</summary>
public sealed record BackupVerification(string Id, int Chunks, long Bytes, IReadOnlyList<string> Problems)
{
    public bool Ok => Problems.Count == 0;
}

/// <summary>How many backups of a unit <c>backup create</c> keeps, and for how long.</summary>
public sealed record BackupRetention(int KeepCount, TimeSpan MaxAge)
{
    public static BackupRetention From(BackupOptions options) => new(options.KeepCount, TimeSpan.FromDays(options.KeepDays));
}

/// <summary>The backups in the backup account: list, read, verify, delete, and the retention policy.</summary>
public sealed class BackupCatalog(OpsEnvironment env)
{
    private const string ManifestFile = "manifest.json";

    public static BackupOptions Options(OpsEnvironment env) =>
        env.Topology.Backup ?? throw new OpsException("The topology names no Backup section (a storage account for backups); add one to the topology file.", ExitCodes.Usage);

    public static BlobContainerClient Container(OpsEnvironment env)
    {
        var options = Options(env);
        return ScaleUnitStorage.CreateBlobService(options.StorageConnectionString, scaleUnitId: "backup", storagePrefix: string.Empty).GetBlobContainerClient(options.Container);
    }

    public static string ManifestName(string id) => $"{id}/{ManifestFile}";

    public static string NewId(string unitId, string? tenantId, DateTimeOffset at) =>
        tenantId is null ? $"{unitId}-{UnitBackup.Stamp(at)}" : $"{unitId}-{UnitBackup.Stamp(at)}-tenant-{tenantId}";

    public async Task<IReadOnlyList<BackupEntry>> ListAsync(string? unitId, CancellationToken cancellationToken)
    {
        var container = Container(env);
        var entries = new List<BackupEntry>();
        try
        {
            await foreach (var folder in container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", unitId is null ? null : unitId + "-", cancellationToken))
            {
                if (folder.IsPrefix)
                {
                    var id = folder.Prefix.TrimEnd('/');
                    entries.Add(new BackupEntry(id, await TryReadManifestAsync(container, id, cancellationToken)));
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No backup was ever written.
        }

        return entries.Where(e => unitId is null || e.Manifest is null || e.Manifest.ScaleUnit == unitId)
            .OrderByDescending(e => e.Manifest?.CreatedAt ?? DateTimeOffset.MinValue)
            .ToList();
    }

    /// <summary>The manifest of a complete backup.</summary>
    /// <exception cref="OpsException">No such backup, a partial one, or one this version cannot read.</exception>
    public async Task<BackupManifest> ReadManifestAsync(string id, CancellationToken cancellationToken)
    {
        var container = Container(env);
        var manifest = await TryReadManifestAsync(container, id, cancellationToken);
        if (manifest is null)
        {
            var any = false;
            try
            {
                await foreach (var _ in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, id + "/", cancellationToken))
                {
                    any = true;
                    break;
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
            }

            throw new OpsException(any
                ? $"Backup '{id}' is partial: it has chunks but no manifest (it was interrupted); it cannot be restored."
                : $"Backup '{id}' does not exist.", any ? ExitCodes.Refused : ExitCodes.NotFound);
        }

        if (manifest.Format != BackupManifest.FormatName || manifest.LayoutVersion != ScaleUnitStorageLayout.Version || manifest.Id != id)
        {
            throw new OpsException($"Backup '{id}' is foreign: format '{manifest.Format}', layout version {manifest.LayoutVersion}, id '{manifest.Id}' (this version reads '{BackupManifest.FormatName}', layout {ScaleUnitStorageLayout.Version}).");
        }

        return manifest;
    }

    /// <summary>Re-reads every chunk and checks its size and SHA-256, then the whole digest.</summary>
    public async Task<BackupVerification> VerifyAsync(BackupManifest manifest, Func<BackupChunk, byte[], Task>? onChunk, CancellationToken cancellationToken)
    {
        var container = Container(env);
        var problems = new List<string>();
        long bytes = 0;
        if (BackupManifest.WholeDigest(manifest.Chunks) != manifest.Sha256)
        {
            problems.Add($"the whole-backup SHA-256 {manifest.Sha256} does not match its chunks' digests");
        }

        foreach (var chunk in manifest.Chunks)
        {
            byte[] content;
            try
            {
                content = (await container.GetBlobClient(chunk.Name).DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                problems.Add($"chunk {chunk.Name} is missing");
                continue;
            }

            bytes += content.Length;
            var digest = Convert.ToHexString(SHA256.HashData(content));
            if (content.Length != chunk.Bytes || digest != chunk.Sha256)
            {
                problems.Add($"chunk {chunk.Name} is damaged: {content.Length} bytes with SHA-256 {digest}, expected {chunk.Bytes} bytes with {chunk.Sha256}");
                continue;
            }

            if (onChunk is not null)
            {
                await onChunk(chunk, content);
            }
        }

        return new BackupVerification(manifest.Id, manifest.Chunks.Count, bytes, problems);
    }

    public async Task<int> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var container = Container(env);
        var deleted = 0;
        var names = new List<string>();
        try
        {
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, id + "/", cancellationToken))
            {
                names.Add(blob.Name);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }

        if (names.Count == 0)
        {
            throw new OpsException($"Backup '{id}' does not exist.", ExitCodes.NotFound);
        }

        // The manifest first: from then on the backup is partial and no restore starts from it.
        foreach (var name in names.OrderBy(n => n.EndsWith(ManifestFile, StringComparison.Ordinal) ? 0 : 1))
        {
            await container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
            deleted++;
        }

        return deleted;
    }

    /// <summary>
    /// Keeps the unit's newest <see cref="BackupRetention.KeepCount"/> complete backups (unit and
    /// tenant backups of the unit together) and deletes complete ones older than
    /// <see cref="BackupRetention.MaxAge"/>; <paramref name="keep"/> (the one just written) always
    /// stays, and partial backups are left for an operator to look at. Returns the ids deleted.
    /// </summary>
    public async Task<IReadOnlyList<string>> ApplyRetentionAsync(string unitId, string keep, BackupRetention retention, CancellationToken cancellationToken)
    {
        var cutoff = env.Time.GetUtcNow() - retention.MaxAge;
        var complete = (await ListAsync(unitId, cancellationToken)).Where(e => e.Complete && e.Manifest!.ScaleUnit == unitId).ToList();
        var expired = complete.Where((e, index) => e.Id != keep && (index >= retention.KeepCount || e.Manifest!.CreatedAt < cutoff)).Select(e => e.Id).ToList();
        foreach (var id in expired)
        {
            await DeleteAsync(id, cancellationToken);
        }

        return expired;
    }

    private static async Task<BackupManifest?> TryReadManifestAsync(BlobContainerClient container, string id, CancellationToken cancellationToken)
    {
        try
        {
            var content = await container.GetBlobClient(ManifestName(id)).DownloadContentAsync(cancellationToken);
            return JsonSerializer.Deserialize<BackupManifest>(content.Value.Content.ToMemory().Span, BackupJson.Manifest);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (JsonException ex)
        {
            throw new OpsException($"Backup '{id}' has an unreadable manifest ({ex.Message}); it is damaged or foreign.");
        }
    }

    internal static string Describe(BackupManifest m) =>
        string.Create(CultureInfo.InvariantCulture, $"{m.Id}  {m.ScaleUnit}  {(m.Tenant is null ? $"unit ({m.Tenants.Count} tenants)" : $"tenant {m.Tenant}")}  {m.Rows} rows  {m.Bytes / 1e6:F2} MB  consistent at {m.ConsistentAt:u}");
}
