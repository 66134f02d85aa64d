using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Intune.ClusterConfig;

namespace Intune.Ops.Moves;

/// <summary>
/// Everything a scale unit stores for one tenant in its tables, found by each store's key scheme
/// in the unit's storage layout: Orleans grain state and reminder rows (keyed by the unit's
/// ServiceId, which is rewritten on import) whose grain key is the tenant's, and the tenant's key
/// range of every tenant-keyed table. Each row carries a SHA-256 of its unit-independent content,
/// so a copy can be proven equal to its source.
/// </summary>
internal sealed record TenantSnapshot(IReadOnlyList<SnapshotRow> Rows)
{
    /// <summary>The layout's tables a tenant's rows live in (ids, prefix-free).</summary>
    public static IReadOnlyList<UnitStore> Tables(ScaleUnitStorageLayout layout) =>
        layout.Stores.Where(s => s.Kind == StoreKind.Table && s.Keying is StoreKeying.ServiceId or StoreKeying.Tenant).ToList();

    /// <summary>SHA-256 over the sorted row checksums: one value that proves two snapshots equal.</summary>
    public string Checksum => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', Rows.Select(r => r.Checksum).Order(StringComparer.Ordinal)))));

    public IReadOnlyDictionary<string, int> Counts(ScaleUnitStorageLayout layout) => Tables(layout).ToDictionary(t => t.Id, t => Rows.Count(r => r.Table == t.Id));

    public static Task<TenantSnapshot> ReadAsync(ScaleUnitOptions unit, string tenantId, CancellationToken cancellationToken) =>
        ReadAsync(new ScaleUnitStorage(unit), tenantId, cancellationToken);

    public static async Task<TenantSnapshot> ReadAsync(ScaleUnitStorage storage, string tenantId, CancellationToken cancellationToken)
    {
        var layout = storage.Layout;
        var rows = new List<SnapshotRow>();
        foreach (var store in Tables(layout))
        {
            var client = storage.Table(store);
            if (store.Keying == StoreKeying.ServiceId)
            {
                // Rows of this unit's ServiceId only (a key range), then the tenant's by grain key.
                var (start, end) = layout.ServiceRange();
                var filter = TableClient.CreateQueryFilter($"PartitionKey ge {start} and PartitionKey lt {end}");
                await foreach (var entity in QueryOrEmpty(client, filter, cancellationToken))
                {
                    if (layout.IsTenantGrainRow(entity.PartitionKey, entity.GetString("GrainReference"), tenantId))
                    {
                        rows.Add(SnapshotRow.From(store.Id, entity, layout.ServicePrefix));
                    }
                }
            }
            else
            {
                var (start, end) = ScaleUnitStorageLayout.TenantRange(tenantId);
                var filter = TableClient.CreateQueryFilter($"PartitionKey ge {start} and PartitionKey lt {end}");
                await foreach (var entity in QueryOrEmpty(client, filter, cancellationToken))
                {
                    rows.Add(SnapshotRow.From(store.Id, entity, servicePrefix: null));
                }
            }
        }

        return new TenantSnapshot(rows);
    }

    internal static async IAsyncEnumerable<TableEntity> QueryOrEmpty(TableClient client, string? filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken, IEnumerable<string>? select = null)
    {
        var pages = client.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: select, cancellationToken: cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
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
