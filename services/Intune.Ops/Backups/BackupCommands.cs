using System.CommandLine;
using System.Globalization;
using Intune.CommandLine;

namespace Intune.Ops.Backups;

/// <summary><c>intune-ops backup create|list|show|verify|delete</c> and <c>intune-ops restore</c>.</summary>
internal static class BackupCommands
{
    public static Command BuildBackup(Func<ParseResult, Func<OpsEnvironment, CommandOutput, CancellationToken, Task<int>>, Task<int>> run)
    {
        var backup = new Command("backup", "Back scale units and tenants up to the backup account named in the topology.");

        var unit = new Argument<string>("unit") { Description = "Scale unit to back up (e.g. na-01)." };
        var tenant = new Option<string?>("--tenant") { Description = "Back up this tenant only." };
        var json = OpsCli.JsonOption();
        var keep = new Option<int?>("--keep") { Description = "Complete backups of the unit to keep (default: the topology's Backup:KeepCount)." };
        var maxAge = Durations.OptionalOption("--max-age", "Delete complete backups older than this, e.g. 12h or 30d (default: the topology's Backup:KeepDays).");
        var create = new Command("create", "Snapshot every table and container of the unit (or one tenant's rows) while it serves traffic; applies the retention policy.") { unit, tenant, keep, maxAge, json };
        create.SetAction((parse, _) => run(parse, (env, output, ct) =>
        {
            var configured = BackupRetention.From(BackupCatalog.Options(env));
            var retention = new BackupRetention(parse.GetValue(keep) ?? configured.KeepCount, parse.GetValue(maxAge) ?? configured.MaxAge);
            return retention.KeepCount < 1
                ? throw new OpsException($"--keep {retention.KeepCount} must be at least 1.", ExitCodes.Usage)
                : CreateAsync(env, output, parse.GetValue(unit)!, parse.GetValue(tenant), retention, ct);
        }));
        backup.Subcommands.Add(create);

        var listUnit = new Option<string?>("--unit") { Description = "Only this scale unit's backups." };
        var listJson = OpsCli.JsonOption();
        var list = new Command("list", "List backups, newest first (partial ones too).") { listUnit, listJson };
        list.SetAction((parse, _) => run(parse, (env, output, ct) => ListAsync(env, output, parse.GetValue(listUnit), ct)));
        backup.Subcommands.Add(list);

        var showId = new Argument<string>("backup") { Description = "Backup id." };
        var showJson = OpsCli.JsonOption();
        var show = new Command("show", "Print a backup's manifest.") { showId, showJson };
        show.SetAction((parse, _) => run(parse, async (env, output, ct) =>
        {
            var manifest = await new BackupCatalog(env).ReadManifestAsync(parse.GetValue(showId)!, ct);
            if (output.Json)
            {
                await output.WriteJsonAsync(manifest);
            }
            else
            {
                await output.LineAsync(BackupCatalog.Describe(manifest));
                foreach (var (store, count) in manifest.Stores)
                {
                    await output.LineAsync($"  {store,-24} {count,10}");
                }

                await output.LineAsync($"  SHA-256 {manifest.Sha256} over {manifest.Chunks.Count} chunks");
            }

            return 0;
        }));
        backup.Subcommands.Add(show);

        var verifyId = new Argument<string>("backup") { Description = "Backup id." };
        var verifyJson = OpsCli.JsonOption();
        var verify = new Command("verify", "Re-read every chunk and check its SHA-256 and the whole backup's.") { verifyId, verifyJson };
        verify.SetAction((parse, _) => run(parse, (env, output, ct) => VerifyAsync(env, output, parse.GetValue(verifyId)!, ct)));
        backup.Subcommands.Add(verify);

        var deleteId = new Argument<string>("backup") { Description = "Backup id." };
        var delete = new Command("delete", "Delete a backup (its manifest first, so it is never half-restored).") { deleteId };
        delete.SetAction((parse, _) => run(parse, async (env, output, ct) =>
        {
            var blobs = await new BackupCatalog(env).DeleteAsync(parse.GetValue(deleteId)!, ct);
            await output.LineAsync($"Deleted {parse.GetValue(deleteId)} ({blobs} files).");
            return 0;
        }));
        backup.Subcommands.Add(delete);
        return backup;
    }

    public static Command BuildRestore(Func<ParseResult, Func<OpsEnvironment, CommandOutput, CancellationToken, Task<int>>, Task<int>> run)
    {
        var restoreId = new Argument<string>("backup") { Description = "Backup id." };
        var to = new Option<string>("--to") { Description = "Scale unit to restore into (empty for a unit restore; same region).", Required = true };
        var restoreTenant = new Option<string?>("--tenant") { Description = "Restore this tenant only." };
        var restoreJson = OpsCli.JsonOption();
        var restore = new Command("restore", "Restore a backup into a scale unit after verifying every checksum; a damaged, partial or foreign backup writes nothing.") { restoreId, to, restoreTenant, restoreJson };
        restore.SetAction((parse, _) => run(parse, (env, output, ct) => RestoreAsync(env, output, parse.GetValue(restoreId)!, parse.GetValue(to)!, parse.GetValue(restoreTenant), ct)));
        return restore;
    }

    internal static async Task<int> CreateAsync(OpsEnvironment env, CommandOutput output, string unitId, string? tenantId, BackupRetention retention, CancellationToken cancellationToken)
    {
        var result = await ConsoleProgress.RunAsync(output.Progress, progress => new UnitBackup(env, progress.ReportAsync) { Retention = retention }.CreateAsync(unitId, tenantId, cancellationToken));
        var m = result.Manifest;
        if (output.Json)
        {
            await output.WriteJsonAsync(new
            {
                id = m.Id,
                unit = m.ScaleUnit,
                tenant = m.Tenant,
                rows = m.Rows,
                bytes = m.Bytes,
                stores = m.Stores,
                chunks = m.Chunks.Count,
                sha256 = m.Sha256,
                consistentAt = m.ConsistentAt,
                changedDuringBackup = m.ChangedDuringBackup,
                seconds = result.Elapsed.TotalSeconds,
                rowsPerSecond = result.RowsPerSecond,
                megabytesPerSecond = result.MegabytesPerSecond,
                retentionDeleted = result.RetentionDeleted,
            });
        }
        else
        {
            await output.LineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Backup {m.Id}: {m.Rows} rows, {m.Bytes / 1e6:F2} MB in {m.Chunks.Count} chunks, {result.Elapsed.TotalSeconds:F1} s ({result.RowsPerSecond:F0} rows/s, {result.MegabytesPerSecond:F2} MB/s); consistent at {m.ConsistentAt:u}; SHA-256 {m.Sha256}"));
            foreach (var id in result.RetentionDeleted)
            {
                await output.LineAsync($"Retention: deleted {id}");
            }
        }

        return 0;
    }

    private static async Task<int> ListAsync(OpsEnvironment env, CommandOutput output, string? unitId, CancellationToken cancellationToken)
    {
        var entries = await new BackupCatalog(env).ListAsync(unitId, cancellationToken);
        if (output.Json)
        {
            await output.WriteJsonAsync(entries.Select(e => new
            {
                id = e.Id,
                complete = e.Complete,
                unit = e.Manifest?.ScaleUnit,
                tenant = e.Manifest?.Tenant,
                createdAt = e.Manifest?.CreatedAt,
                rows = e.Manifest?.Rows,
                bytes = e.Manifest?.Bytes,
            }));
        }
        else
        {
            foreach (var entry in entries)
            {
                await output.LineAsync(entry.Manifest is { } m ? BackupCatalog.Describe(m) : $"{entry.Id}  partial (no manifest)");
            }
        }

        return 0;
    }

    private static async Task<int> VerifyAsync(OpsEnvironment env, CommandOutput output, string id, CancellationToken cancellationToken)
    {
        var catalog = new BackupCatalog(env);
        var result = await catalog.VerifyAsync(await catalog.ReadManifestAsync(id, cancellationToken), onChunk: null, cancellationToken);
        if (output.Json)
        {
            await output.WriteJsonAsync(new { id, ok = result.Ok, chunks = result.Chunks, bytes = result.Bytes, problems = result.Problems });
        }
        else
        {
            await output.LineAsync(result.Ok
                ? $"Backup {id} verified: {result.Chunks} chunks, {result.Bytes} bytes, every SHA-256 matches."
                : $"Backup {id} is damaged:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", result.Problems)}");
        }

        return result.Ok ? ExitCodes.Ok : ExitCodes.Failed;
    }

    internal static async Task<int> RestoreAsync(OpsEnvironment env, CommandOutput output, string id, string to, string? tenantId, CancellationToken cancellationToken)
    {
        var result = await ConsoleProgress.RunAsync(output.Progress, progress => new UnitRestore(env, progress.ReportAsync).RestoreAsync(id, to, tenantId, cancellationToken));
        if (output.Json)
        {
            await output.WriteJsonAsync(new
            {
                backup = result.BackupId,
                to = result.To,
                tenant = result.Tenant,
                rows = result.Rows,
                bytes = result.Bytes,
                stores = result.Stores,
                seconds = result.Elapsed.TotalSeconds,
                rowsPerSecond = result.RowsPerSecond,
                megabytesPerSecond = result.MegabytesPerSecond,
            });
        }
        else
        {
            await output.LineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Restored {result.BackupId} into {result.To}{(result.Tenant is null ? string.Empty : $" (tenant {result.Tenant})")}: {result.Rows} rows and blobs, {result.Bytes / 1e6:F2} MB verified, {result.Elapsed.TotalSeconds:F1} s ({result.RowsPerSecond:F0} rows/s, {result.MegabytesPerSecond:F2} MB/s)"));
        }

        return 0;
    }
}
