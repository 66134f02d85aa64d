namespace Intune.Grains.Devices;

/// <summary>
/// Partition keys of the device catalog table: <c>{tenantId}_{pp}</c>, one per index partition,
/// so each in-memory index partition loads with one key query. Shared by the catalog and by
/// operator tools that export or count a tenant's rows.
/// </summary>
public static class DeviceCatalogKeys
{
    public static string PartitionKey(string tenantId, int partition) => $"{tenantId}_{partition:D2}";

    /// <summary>The tenant a catalog partition key belongs to.</summary>
    public static string TenantOf(string partitionKey) => partitionKey[..partitionKey.LastIndexOf('_')];

    /// <summary>The key range holding every row of one tenant: [start, end). '`' sorts right after '_'.</summary>
    public static (string Start, string End) TenantRange(string tenantId) => (tenantId + "_", tenantId + "`");
}
