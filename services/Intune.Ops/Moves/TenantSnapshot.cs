using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Intune.ClusterConfig;
using Intune.Grains.Devices;

namespace Intune.Ops.Moves;

/// <summary>
/// Everything a scale unit stores for one tenant, read from its tables: Orleans grain state and
/// reminder rows (keyed by the unit's ServiceId, which is rewritten on import) and the tenant's
/// partition of the device catalog. Each row carries a SHA-256 of its unit-independent content,
/// so a copy can be proven equal to its source.
/// </summary>
internal sealed record TenantSnapshot(IReadOnlyList<SnapshotRow> Rows)
{
    public static readonly string[] Tables = ["grainstate", "reminders", .. TenantKeyedTables];

    /// <summary>Tables whose partition keys start with the tenant id (<c>{tenantId}_…</c>), not the unit's ServiceId.</summary>
    private static string[] TenantKeyedTables => ["devices", "policystatus", "membersets"];

    /// <summary>SHA-256 over the sorted row checksums: one value that proves two snapshots equal.</summary>
    public string Checksum => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', Rows.Select(r => r.Checksum).Order(StringComparer.Ordinal)))));

    public IReadOnlyDictionary<string, int> Counts => Tables.ToDictionary(t => t, t => Rows.Count(r => r.Table == t));

    /// <summary>Every row of the tenant in a tenant-keyed table (catalog partitions, policy reports, group members and policy targets).</summary>
    private static string TenantRowsOf(string tenantId)
    {
        var (start, end) = DeviceCatalogKeys.TenantRange(tenantId);
        return TableClient.CreateQueryFilter($"PartitionKey ge {start} and PartitionKey lt {end}");
    }

    public static async Task<TenantSnapshot> ReadAsync(ScaleUnitOptions unit, string tenantId, CancellationToken cancellationToken)
    {
        var rows = new List<SnapshotRow>();
        var servicePrefix = ServicePrefix(unit);
        foreach (var table in new[] { "grainstate", "reminders" })
        {
            var client = new TableClient(unit.StorageConnectionString, unit.StoragePrefix + table);
            // Rows of this unit's ServiceId only: a range on the partition key, then the tenant filter
            // (every grain key starts with the tenant id, docs/architecture.md §2).
            var filter = TableClient.CreateQueryFilter($"PartitionKey ge {servicePrefix} and PartitionKey lt {servicePrefix[..^1] + (char)(servicePrefix[^1] + 1)}");
            await foreach (var entity in QueryOrEmpty(client, filter, cancellationToken))
            {
                if (Mentions(entity, tenantId))
                {
                    rows.Add(SnapshotRow.From(table, entity, servicePrefix));
                }
            }
        }

        foreach (var table in TenantKeyedTables)
        {
            var client = new TableClient(unit.StorageConnectionString, unit.StoragePrefix + table);
            await foreach (var entity in QueryOrEmpty(client, TenantRowsOf(tenantId), cancellationToken))
            {
                rows.Add(SnapshotRow.From(table, entity, servicePrefix: null));
            }
        }

        return new TenantSnapshot(rows);
    }

    public static string ServicePrefix(ScaleUnitOptions unit) => unit.ServiceId + "_";

    private static bool Mentions(TableEntity entity, string tenantId) =>
        entity.PartitionKey.Contains(tenantId, StringComparison.Ordinal)
        || entity.RowKey.Contains(tenantId, StringComparison.Ordinal)
        || entity.Any(p => p.Value is string s && p.Key is "GrainReference" or "GrainId" && s.Contains(tenantId, StringComparison.Ordinal));

    private static async IAsyncEnumerable<TableEntity> QueryOrEmpty(TableClient client, string filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = client.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await pages.MoveNextAsync())
                {
                    break;
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                break; // the unit never created this table, so it holds nothing of the tenant
            }

            foreach (var entity in pages.Current.Values)
            {
                yield return entity;
            }
        }
    }
}

/// <summary>One stored row with its partition key made unit-independent (the ServiceId prefix removed).</summary>
internal sealed record SnapshotRow(string Table, string PartitionKeySuffix, bool ServiceScoped, string RowKey, IReadOnlyDictionary<string, object?> Properties, string Checksum)
{
    private static readonly HashSet<string> SystemProperties = ["PartitionKey", "RowKey", "Timestamp", "odata.etag"];

    public static SnapshotRow From(string table, TableEntity entity, string? servicePrefix)
    {
        var scoped = servicePrefix is not null;
        var suffix = scoped ? entity.PartitionKey[servicePrefix!.Length..] : entity.PartitionKey;
        var properties = entity.Where(p => !SystemProperties.Contains(p.Key)).ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal);
        return new SnapshotRow(table, suffix, scoped, entity.RowKey, properties, Hash(table, suffix, entity.RowKey, properties));
    }

    public TableEntity ToEntity(string? servicePrefix)
    {
        var entity = new TableEntity(ServiceScoped ? servicePrefix + PartitionKeySuffix : PartitionKeySuffix, RowKey);
        foreach (var (key, value) in Properties)
        {
            entity[key] = value;
        }

        return entity;
    }

    private static string Hash(string table, string partition, string row, IReadOnlyDictionary<string, object?> properties)
    {
        var text = new StringBuilder().Append(table).Append('\n').Append(partition).Append('\n').Append(row);
        foreach (var (key, value) in properties.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append('\n').Append(key).Append('=').Append(value switch
            {
                null => "null",
                byte[] bytes => "b:" + Convert.ToBase64String(bytes),
                BinaryData data => "b:" + Convert.ToBase64String(data.ToArray()),
                DateTimeOffset time => "t:" + time.UtcTicks.ToString(CultureInfo.InvariantCulture),
                DateTime time => "t:" + time.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture),
                IFormattable formattable => value.GetType().Name + ":" + formattable.ToString(null, CultureInfo.InvariantCulture),
                _ => value.GetType().Name + ":" + value,
            });
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
