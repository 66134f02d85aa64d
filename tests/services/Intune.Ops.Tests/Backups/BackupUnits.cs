using Azure;
using Intune.AdminGateway.Auth;
using Intune.ClusterConfig;
using Intune.Ops.Moves;

namespace Intune.Ops.Tests.Backups;

/// <summary>Units of their own per test on the test Azurite, and the backup account of the local topology.</summary>
internal static class BackupUnits
{
    public static ScaleUnitOptions NewUnit() => ScaleUnitTestHost.NewUnit("na-01", "na", account: "na01");

    /// <summary>
    /// An operator environment with the host's unit (or <paramref name="unit"/>) and a backup
    /// container of this test's own, or the one of <paramref name="backupsOf"/> (restoring elsewhere).
    /// </summary>
    public static OpsEnvironment Environment(ScaleUnitTestHost host, ScaleUnitOptions? unit = null, OpsEnvironment? backupsOf = null, TimeProvider? time = null)
    {
        var auth = host.Services.GetRequiredService<AdminAuthOptions>();
        var directory = new TenantDirectoryOptions { StorageConnectionString = TestStorage.ConnectionStringFor("directory"), TableName = "directory" + TestStorage.UniquePrefix() };
        var backup = backupsOf?.Topology.Backup ?? new BackupOptions { StorageConnectionString = TestStorage.ConnectionStringFor("backup"), Container = "backups-" + TestStorage.UniquePrefix() };
        return new OpsEnvironment(new Topology([unit ?? host.Unit], directory) { Backup = backup }, auth, auth.ResolveSigningKey(AppContext.BaseDirectory), time: time);
    }

    public static async Task<(int ExitCode, string Output, string Error)> OpsAsync(OpsEnvironment env, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await OpsCli.RunAsync(args, output, error, env);
        return (exit, output.ToString(), error.ToString());
    }
}

/// <summary>Every entity of a unit's backed-up stores as (store, key, checksum) lines: two units are equal when these are.</summary>
internal static class UnitRows
{
    public static async Task<List<string>> ReadAsync(ScaleUnitOptions unit)
    {
        var storage = new ScaleUnitStorage(unit);
        var lines = new List<string>();
        // Every store the layout says is backed up, by kind: not the backup's own list of what it copies.
        foreach (var store in storage.Layout.Stores.Where(s => s.BackedUp && s.Kind == StoreKind.Table))
        {
            await foreach (var entity in Intune.Ops.Backups.UnitBackup.ReadScopeAsync(storage, store, tenantId: null, select: null, CancellationToken.None))
            {
                var row = SnapshotRow.From(store.Id, entity, store.Keying == StoreKeying.ServiceId ? storage.Layout.ServicePrefix : null);
                lines.Add($"{row.Table}|{row.PartitionKeySuffix}|{row.RowKey}|{row.Checksum}");
            }
        }

        foreach (var store in storage.Layout.Stores.Where(s => s.BackedUp && s.Kind == StoreKind.BlobContainer))
        {
            var container = storage.Container(store);
            try
            {
                await foreach (var blob in container.GetBlobsAsync())
                {
                    lines.Add($"{store.Id}|{blob.Name}|{Convert.ToHexString(blob.Properties.ContentHash ?? [])}");
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    public static async Task DeleteEverythingAsync(ScaleUnitOptions unit)
    {
        var storage = new ScaleUnitStorage(unit);
        foreach (var store in storage.Layout.Stores)
        {
            if (store.Kind == StoreKind.Table)
            {
                await storage.Table(store).DeleteAsync();
            }
            else
            {
                await storage.Container(store).DeleteIfExistsAsync();
            }
        }
    }
}
