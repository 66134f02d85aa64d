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
    Task UpsertAsync(ManagedDeviceView device, CancellationToken cancellationToken = default);

    Task RemoveAsync(string tenantId, string deviceId, CancellationToken cancellationToken = default);

    Task<ManagedDevicePage> ListAsync(string tenantId, int pageSize, string? continuationToken, CancellationToken cancellationToken = default);
}

public sealed class DeviceCatalogOptions
{
    public string TableName { get; set; } = "intunedevices";
}

/// <summary>
/// The catalog in Azure Table storage: partition = tenant, row = device. The indexed columns
/// are what admin filters use; the full view is kept as JSON beside them.
/// </summary>
public sealed class TableDeviceCatalog(TableClient table) : IDeviceCatalog
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private int _tableCreated;

    public async Task UpsertAsync(ManagedDeviceView device, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        var entity = new TableEntity(device.TenantId, device.Id)
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
        };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task RemoveAsync(string tenantId, string deviceId, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        await table.DeleteEntityAsync(tenantId, deviceId, ETag.All, cancellationToken);
    }

    public async Task<ManagedDevicePage> ListAsync(string tenantId, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        var query = table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {tenantId}"),
            maxPerPage: pageSize,
            select: ["View"],
            cancellationToken: cancellationToken);
        await foreach (var page in query.AsPages(continuationToken, pageSize))
        {
            var devices = page.Values
                .Select(e => JsonSerializer.Deserialize<ManagedDeviceView>(e.GetString("View"), Json)!)
                .ToList();
            return new ManagedDevicePage(devices, page.ContinuationToken);
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

/// <summary>Keeps the catalog in memory: for grain unit tests only.</summary>
public sealed class InMemoryDeviceCatalog : IDeviceCatalog
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), ManagedDeviceView> _devices = new();

    public Task UpsertAsync(ManagedDeviceView device, CancellationToken cancellationToken = default)
    {
        _devices[(device.TenantId, device.Id)] = device;
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string tenantId, string deviceId, CancellationToken cancellationToken = default)
    {
        _devices.TryRemove((tenantId, deviceId), out _);
        return Task.CompletedTask;
    }

    public Task<ManagedDevicePage> ListAsync(string tenantId, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        var ordered = _devices.Values.Where(d => d.TenantId == tenantId).OrderBy(d => d.Id, StringComparer.Ordinal);
        var after = continuationToken is null ? ordered : ordered.Where(d => string.CompareOrdinal(d.Id, continuationToken) > 0);
        var page = after.Take(pageSize + 1).ToList();
        var more = page.Count > pageSize;
        var devices = page.Take(pageSize).ToList();
        return Task.FromResult(new ManagedDevicePage(devices, more ? devices[^1].Id : null));
    }
}
