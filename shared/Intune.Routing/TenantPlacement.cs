using Intune.ClusterConfig;

namespace Intune.Routing;

/// <summary>
/// Chooses the unit a new tenant goes to: one in the requested region that accepts new tenants, the least loaded
/// relative to the devices it is sized for, then the one with fewer tenants.
/// </summary>
public static class TenantPlacement
{
    public static ScaleUnitOptions Choose(
        IEnumerable<ScaleUnitOptions> units,
        string region,
        IReadOnlyDictionary<string, long> devicesPerUnit,
        IReadOnlyDictionary<string, int> tenantsPerUnit)
    {
        var inRegion = units.Where(u => u.Region == region).ToList();
        if (inRegion.Count == 0)
        {
            throw new ArgumentException($"No scale unit serves region '{region}'.", nameof(region));
        }

        var candidates = inRegion.Where(u => u.AcceptsNewTenants).ToList();
        if (candidates.Count == 0)
        {
            throw new ArgumentException($"No scale unit of region '{region}' accepts new tenants ({string.Join(", ", inRegion.Select(u => u.Id))} take tenants only by a move or a restore).", nameof(region));
        }

        return candidates
            .OrderBy(u => (double)devicesPerUnit.GetValueOrDefault(u.Id) / u.CapacityDevices)
            .ThenBy(u => tenantsPerUnit.GetValueOrDefault(u.Id))
            .ThenBy(u => u.Id, StringComparer.Ordinal)
            .First();
    }
}
