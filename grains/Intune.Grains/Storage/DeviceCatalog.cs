using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Intune.Grains.Devices;

namespace Intune.Grains.Devices;

/// <summary>
/// The tenant-wide list of devices: a projection that Device grains keep current when their
/// listed fields change, so admin listings read storage pages instead of activating grains.
/// </summary>
public interface IDeviceCatalog
{
    /// <summary>Writes the device's row; returns the version stamped on it (orders index updates).</summary>
    Task<long> UpsertAsync(ManagedDeviceView device, CancellationToken cancellationToken = default);

    /// <summary>Writes many rows in batch transactions (bulk work: seeding, restores, tenant moves).</summary>
    Task<long> UpsertManyAsync(IReadOnlyList<ManagedDeviceView> devices, CancellationToken cancellationToken = default);

    /// <summary>Removes the device's row; returns the version of the removal.</summary>
    Task<long> RemoveAsync(string tenantId, string deviceId, CancellationToken cancellationToken = default);

    Task<ManagedDevicePage> ListAsync(string tenantId, int pageSize, string? continuationToken, CancellationToken cancellationToken = default);

    /// <summary>The index rows of one partition of the tenant (<see cref="DeviceIndexPartitions"/>), without the full views.</summary>
    Task<IReadOnlyList<DeviceIndexRow>> LoadIndexPartitionAsync(string tenantId, int partition, CancellationToken cancellationToken = default);

    /// <summary>The views of the given devices with their versions, in the given order; devices no longer listed are left out.</summary>
    Task<IReadOnlyList<CatalogEntry>> GetManyAsync(string tenantId, IReadOnlyList<string> deviceIds, CancellationToken cancellationToken = default);
}

/// <summary>A device's full view with the catalog version it was written at (the version its index row carries).</summary>
public readonly record struct CatalogEntry(ManagedDeviceView View, long Version);

public sealed class DeviceCatalogOptions
{
    /// <summary>How many full views each silo keeps for listings (<see cref="DeviceViewCache"/>).</summary>
    public int ViewCacheCapacity { get; set; } = DeviceViewCache.DefaultCapacity;
}

/// <summary>
/// The catalog in Azure Table storage: partition = tenant + index partition
/// (<see cref="DeviceIndexPartitions"/>), row = device. Partitioning by index partition lets each
/// in-memory index partition load with one partition-key query instead of a filtered scan of
/// the whole tenant (measured: the tenant-wide scan of 100k rows, 16 times over, outlived the
/// grain call timeout on Azurite). The listed columns sit beside the full view (JSON).
/// </summary>
public sealed class TableDeviceCatalog(TableClient table, TimeProvider time) : IDeviceCatalog
{
    /// <summary>Device grains write their rows one at a time; rows of one partition that meet in flight share a transaction.</summary>
    private readonly TableWriteBatcher _writes = new(table);

    private const int BatchSize = 100;
    private const int ReadConcurrency = 32;
    private const int WriteConcurrency = 4;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly string[] IndexColumns =
        ["RowKey", "DeviceName", "OperatingSystem", "UserPrincipalName", "ComplianceState", "ManagementState", "SerialNumber", "EnrolledDateTime", "LastSyncDateTime", "IndexVersion"];

    private static readonly string[] ViewColumns = ["View", "IndexVersion"];

    private int _tableCreated;

    public async Task<long> UpsertAsync(ManagedDeviceView device, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        var version = time.GetUtcNow().UtcTicks;
        await _writes.UpsertAsync(ToEntity(device, version), cancellationToken);
        return version;
    }

    public async Task<long> UpsertManyAsync(IReadOnlyList<ManagedDeviceView> devices, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        var version = time.GetUtcNow().UtcTicks;
        // A transaction holds one partition's rows; partitions are written side by side.
        await Parallel.ForEachAsync(
            devices.GroupBy(d => PartitionKey(d.TenantId, d.Id)),
            new ParallelOptions { MaxDegreeOfParallelism = WriteConcurrency, CancellationToken = cancellationToken },
            async (partition, ct) =>
            {
                foreach (var chunk in partition.Chunk(BatchSize))
                {
                    await table.SubmitTransactionAsync(
                        chunk.Select(d => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(d, version))),
                        ct);
                }
            });

        return version;
    }

    public async Task<IReadOnlyList<DeviceIndexRow>> LoadIndexPartitionAsync(string tenantId, int partition, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        var rows = new List<DeviceIndexRow>();
        var query = table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(tenantId, partition)}"),
            maxPerPage: 1000,
            select: IndexColumns,
            cancellationToken: cancellationToken);
        await foreach (var e in query)
        {
            rows.Add(new DeviceIndexRow
            {
                Id = e.RowKey,
                DeviceName = e.GetString("DeviceName") ?? string.Empty,
                OperatingSystem = e.GetString("OperatingSystem") ?? string.Empty,
                ComplianceState = DeviceFields.GraphName(e.GetString("ComplianceState") ?? string.Empty),
                ManagementState = DeviceFields.GraphName(e.GetString("ManagementState") ?? string.Empty),
                UserPrincipalName = e.GetString("UserPrincipalName"),
                SerialNumber = e.GetString("SerialNumber"),
                EnrolledDateTime = e.GetDateTimeOffset("EnrolledDateTime") ?? default,
                LastSyncDateTime = e.GetDateTimeOffset("LastSyncDateTime") ?? default,
                Version = e.GetInt64("IndexVersion") ?? 0,
            });
        }

        return rows;
    }

    public async Task<IReadOnlyList<CatalogEntry>> GetManyAsync(string tenantId, IReadOnlyList<string> deviceIds, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        var views = new CatalogEntry?[deviceIds.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, deviceIds.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ReadConcurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var entity = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKey(tenantId, deviceIds[i]), deviceIds[i], ViewColumns, ct);
                views[i] = entity.HasValue
                    ? new CatalogEntry(JsonSerializer.Deserialize<ManagedDeviceView>(entity.Value!.GetString("View"), Json)!, entity.Value.GetInt64("IndexVersion") ?? 0)
                    : null;
            });
        return views.OfType<CatalogEntry>().ToList();
    }

    public static string PartitionKey(string tenantId, int partition) => DeviceCatalogKeys.PartitionKey(tenantId, partition);

    private static string PartitionKey(string tenantId, string deviceId) => PartitionKey(tenantId, DeviceIndexPartitions.Of(deviceId));

    private static TableEntity ToEntity(ManagedDeviceView device, long version) =>
        new(PartitionKey(device.TenantId, device.Id), device.Id)
        {
            ["DeviceName"] = device.DeviceName,
            ["OperatingSystem"] = device.Platform.OperatingSystem(),
            ["UserPrincipalName"] = device.UserPrincipalName,
            ["ComplianceState"] = device.ComplianceState.ToString(),
            ["ManagementState"] = device.ManagementState.ToString(),
            ["SerialNumber"] = device.Hardware.SerialNumber ?? device.Facts.SerialNumber,
            ["EnrolledDateTime"] = device.EnrolledDateTime,
            ["LastSyncDateTime"] = device.LastSyncDateTime,
            ["View"] = JsonSerializer.Serialize(device, Json),
            ["IndexVersion"] = version,
        };

    public async Task<long> RemoveAsync(string tenantId, string deviceId, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        await table.DeleteEntityAsync(PartitionKey(tenantId, deviceId), deviceId, ETag.All, cancellationToken);
        return time.GetUtcNow().UtcTicks;
    }

    /// <summary>Pages through the tenant's partitions in turn; the token is <c>partition|storage token</c>.</summary>
    public async Task<ManagedDevicePage> ListAsync(string tenantId, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        var (partition, token) = (0, (string?)null);
        if (continuationToken is { } given)
        {
            var bar = given.IndexOf('|');
            if (bar <= 0 || !int.TryParse(given[..bar], System.Globalization.CultureInfo.InvariantCulture, out partition) || partition is < 0 or >= DeviceIndexPartitions.Count)
            {
                throw new ArgumentException("The continuation token is not one the catalog issued.", nameof(continuationToken));
            }

            token = bar == given.Length - 1 ? null : given[(bar + 1)..];
        }

        for (; partition < DeviceIndexPartitions.Count; partition++, token = null)
        {
            var query = table.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(tenantId, partition)}"),
                maxPerPage: pageSize,
                select: ["View"],
                cancellationToken: cancellationToken);
            await foreach (var page in query.AsPages(token, pageSize))
            {
                var devices = page.Values
                    .Select(e => JsonSerializer.Deserialize<ManagedDeviceView>(e.GetString("View"), Json)!)
                    .ToList();
                var next = page.ContinuationToken is { } more ? $"{partition}|{more}"
                    : partition + 1 < DeviceIndexPartitions.Count ? $"{partition + 1}|"
                    : null;
                if (devices.Count > 0 || next is null)
                {
                    return new ManagedDevicePage(devices, next);
                }

                break;
            }
        }

        return new ManagedDevicePage([], null);
    }

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
