using Orleans.Concurrency;

namespace Intune.Grains.Devices;

/// <summary>Serves catalog pages from the silo, which alone holds the unit's storage credentials.</summary>
[StatelessWorker]
internal sealed class DeviceCatalogGrain(IDeviceCatalog catalog) : Grain, IDeviceCatalogGrain
{
    public Task<ManagedDevicePage> ListAsync(string tenantId, int pageSize, string? continuationToken) =>
        catalog.ListAsync(tenantId, Math.Clamp(pageSize, 1, 1000), continuationToken);
}
