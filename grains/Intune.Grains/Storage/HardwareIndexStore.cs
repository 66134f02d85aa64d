using Azure.Data.Tables;

namespace Intune.Grains.Devices;

/// <summary>
/// Serial numbers and MAC addresses → the devices that reported them (network access control).
/// Every device claims its own entries and releases only its own, so neither needs a read first;
/// when several enrolled devices report one identifier (hardware wiped and enrolled again), the
/// latest claim answers.
/// </summary>
public interface IHardwareIndexStore
{
    /// <summary>Records that <paramref name="deviceId"/> reports each of <paramref name="keys"/> (<see cref="HardwareIndex.Key"/>).</summary>
    Task ClaimAsync(string tenantId, string deviceId, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default);

    /// <summary>Drops this device's claims on <paramref name="keys"/>; other devices' claims stay.</summary>
    Task ReleaseAsync(string tenantId, string deviceId, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default);

    /// <summary>The device that most recently claimed <paramref name="key"/>, or null.</summary>
    Task<string?> FindAsync(string tenantId, string key, CancellationToken cancellationToken = default);
}

/// <summary>
/// The index in Azure Table storage: partition = tenant, row = <c>{key}|{device id}</c> (the key
/// escaped, so the characters a row key may not hold never reach it), with the time of the claim.
/// A device's claims share a partition, so they go out as one transaction, and claims of devices
/// enrolling together share transactions too (<see cref="TableWriteBatcher"/>): a claim costs
/// one request at most and no read. A lookup is one range query over one key's rows.
/// </summary>
public sealed class TableHardwareIndexStore(TableClient table, TimeProvider time) : IHardwareIndexStore
{
    private const string ClaimedColumn = "Claimed";
    private const char DeviceSeparator = '|';
    private readonly TableWriteBatcher _writes = new(table);
    private int _tableCreated;

    public async Task ClaimAsync(string tenantId, string deviceId, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        var claimed = time.GetUtcNow();
        await Task.WhenAll(keys.Select(key =>
            _writes.UpsertAsync(new TableEntity(PartitionKey(tenantId), RowPrefix(key) + deviceId) { [ClaimedColumn] = claimed }, cancellationToken)));
    }

    public async Task ReleaseAsync(string tenantId, string deviceId, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        await Task.WhenAll(keys.Select(key => _writes.DeleteAsync(PartitionKey(tenantId), RowPrefix(key) + deviceId, Azure.ETag.All, cancellationToken)));
    }

    public async Task<string?> FindAsync(string tenantId, string key, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        var prefix = RowPrefix(key);
        var end = prefix[..^1] + (char)(DeviceSeparator + 1);
        (string Device, DateTimeOffset Claimed)? latest = null;
        await foreach (var row in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(tenantId)} and RowKey ge {prefix} and RowKey lt {end}"),
            select: ["RowKey", ClaimedColumn],
            cancellationToken: cancellationToken))
        {
            var claimed = row.GetDateTimeOffset(ClaimedColumn) ?? DateTimeOffset.MinValue;
            if (latest is null || claimed > latest.Value.Claimed)
            {
                latest = (row.RowKey[prefix.Length..], claimed);
            }
        }

        return latest?.Device;
    }

    private static string PartitionKey(string tenantId) => $"{tenantId}_hardware";

    /// <summary>Escaped: serials are what devices report, and '/', '\', '#', '?' and control characters may not appear in a row key.</summary>
    private static string RowPrefix(string key) => Uri.EscapeDataString(key) + DeviceSeparator;

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _tableCreated) == 1)
        {
            return;
        }

        await table.CreateIfNotExistsAsync(cancellationToken);
        Volatile.Write(ref _tableCreated, 1);
    }
}
