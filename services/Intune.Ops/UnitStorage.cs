using Azure;
using Azure.Data.Tables;
using Intune.ClusterConfig;
using Intune.Grains.Devices;

namespace Intune.Ops;

/// <summary>
/// Reads a unit's own storage for figures Orleans does not keep (devices per unit and per
/// tenant, from the device catalog). Operators hold every unit's credentials; gateways do not.
/// </summary>
internal static class UnitStorage
{
    /// <summary>Devices in the unit's catalog, per tenant; an empty map when the unit has none yet.</summary>
    public static async Task<Dictionary<string, long>> CountDevicesPerTenantAsync(ScaleUnitOptions unit, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var storage = new ScaleUnitStorage(unit);
        var table = storage.Table(storage.Layout.DeviceCatalog);
        try
        {
            await foreach (var entity in table.QueryAsync<TableEntity>(select: ["PartitionKey"], cancellationToken: cancellationToken))
            {
                var tenantId = DeviceCatalogKeys.TenantOf(entity.PartitionKey);
                counts[tenantId] = counts.GetValueOrDefault(tenantId) + 1;
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The unit has enrolled no device yet, so its catalog table does not exist.
        }

        return counts;
    }
}
