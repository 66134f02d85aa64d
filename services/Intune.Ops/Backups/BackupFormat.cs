using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using Intune.Ops.Moves;

namespace Intune.Ops.Backups;

/// <summary>
/// What a backup holds, written last (a backup without it is partial and is never restored):
/// which unit and layout it was taken from, what each store contributed, and the SHA-256 of every
/// chunk and of the whole (the chunk digests in order).
/// </summary>
public sealed record BackupManifest
{
    public const string FormatName = "intune-backup";

    public string Format { get; init; } = FormatName;

    public int LayoutVersion { get; init; }

    public required string Id { get; init; }

    public required string ScaleUnit { get; init; }

    public required string ServiceId { get; init; }

    public required string Region { get; init; }

    /// <summary>The one tenant backed up, or null for the whole unit.</summary>
    public string? Tenant { get; init; }

    public required IReadOnlyList<string> Tenants { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Every write acknowledged before this instant is in the backup (see <see cref="UnitBackup"/>).</summary>
    public DateTimeOffset ConsistentAt { get; init; }

    /// <summary>Rows found changed or deleted while the backup read, and re-read.</summary>
    public int ChangedDuringBackup { get; init; }

    public int Passes { get; init; }

    /// <summary>Rows (tables) or blobs (containers) per store id of the layout.</summary>
    public required IReadOnlyDictionary<string, long> Stores { get; init; }

    public required IReadOnlyList<BackupChunk> Chunks { get; init; }

    public long Rows { get; init; }

    public long Bytes { get; init; }

    public required string Sha256 { get; init; }

    /// <summary>The unit's CA certificate (public part): a tenant restored elsewhere keeps its devices' certificates trusted.</summary>
    public string? AuthorityCertificate { get; init; }

    public static string WholeDigest(IEnumerable<BackupChunk> chunks) =>
        Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(string.Join('\n', chunks.Select(c => c.Sha256)))));
}

/// <summary>One chunk file: JSON lines of one store.</summary>
public sealed record BackupChunk(string Name, string Store, int Rows, long Bytes, string Sha256);

/// <summary>One line of a chunk: a table row (with its unit-independent checksum) or a blob.</summary>
internal sealed record BackupLine
{
    [JsonPropertyName("s")]
    public required string Store { get; init; }

    [JsonPropertyName("p")]
    public string? PartitionKey { get; init; }

    /// <summary>The partition key starts with the unit's ServiceId (removed here, put back on restore).</summary>
    [JsonPropertyName("x")]
    public bool ServiceScoped { get; init; }

    [JsonPropertyName("r")]
    public string? RowKey { get; init; }

    /// <summary>Each property as [type, value], so Edm types survive the round trip.</summary>
    [JsonPropertyName("c")]
    public Dictionary<string, JsonArray>? Properties { get; init; }

    [JsonPropertyName("h")]
    public string? Checksum { get; init; }

    [JsonPropertyName("n")]
    public string? BlobName { get; init; }

    [JsonPropertyName("d")]
    public string? BlobContent { get; init; }

    public bool IsBlob => BlobName is not null;

    public static BackupLine Of(SnapshotRow row) => new()
    {
        Store = row.Table,
        PartitionKey = row.PartitionKeySuffix,
        ServiceScoped = row.ServiceScoped,
        RowKey = row.RowKey,
        Properties = row.Properties.ToDictionary(p => p.Key, p => Encode(p.Value), StringComparer.Ordinal),
        Checksum = row.Checksum,
    };

    public static BackupLine Of(string store, string blobName, byte[] content) =>
        new() { Store = store, BlobName = blobName, BlobContent = Convert.ToBase64String(content) };

    /// <summary>The row back as the snapshot row it was, its checksum recomputed from what was read.</summary>
    public SnapshotRow ToRow()
    {
        var entity = new TableEntity(PartitionKey!, RowKey!);
        foreach (var (key, value) in Properties!)
        {
            entity[key] = Decode(value);
        }

        return SnapshotRow.From(Store, entity, servicePrefix: null) with { ServiceScoped = ServiceScoped };
    }

    private static JsonArray Encode(object? value) => value switch
    {
        null => ["null", null],
        string s => ["s", s],
        bool b => ["b", b],
        int i => ["i32", i],
        long l => ["i64", l.ToString(CultureInfo.InvariantCulture)],
        double d => ["d", d.ToString("R", CultureInfo.InvariantCulture)],
        DateTimeOffset t => ["dt", t.ToString("O", CultureInfo.InvariantCulture)],
        DateTime t => ["dt", new DateTimeOffset(t.ToUniversalTime()).ToString("O", CultureInfo.InvariantCulture)],
        Guid g => ["g", g.ToString()],
        byte[] bytes => ["bin", Convert.ToBase64String(bytes)],
        BinaryData data => ["bin", Convert.ToBase64String(data.ToArray())],
        _ => throw new OpsException($"A stored property of type {value.GetType().Name} has no backup encoding."),
    };

    private static object? Decode(JsonArray value)
    {
        var type = (string)value[0]!;
        var raw = value[1];
        return type switch
        {
            "null" => null,
            "s" => (string)raw!,
            "b" => (bool)raw!,
            "i32" => (int)raw!,
            "i64" => long.Parse((string)raw!, CultureInfo.InvariantCulture),
            "d" => double.Parse((string)raw!, CultureInfo.InvariantCulture),
            "dt" => DateTimeOffset.Parse((string)raw!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            "g" => Guid.Parse((string)raw!),
            "bin" => Convert.FromBase64String((string)raw!),
            _ => throw new OpsException($"Unknown property type '{type}' in a backup chunk."),
        };
    }
}

internal static class BackupJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    public static readonly JsonSerializerOptions Manifest = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
