using Intune.ClusterConfig;

namespace Intune.Routing;

/// <summary>
/// Chooses the unit a new tenant goes to: one in the requested region, the least loaded
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
        var candidates = units.Where(u => u.Region == region).ToList();
        if (candidates.Count == 0)
        {
            throw new ArgumentException($"No scale unit serves region '{region}'.", nameof(region));
        }

        return candidates
            .OrderBy(u => (double)devicesPerUnit.GetValueOrDefault(u.Id) / u.CapacityDevices)
            .ThenBy(u => tenantsPerUnit.GetValueOrDefault(u.Id))
            .ThenBy(u => u.Id, StringComparer.Ordinal)
            .First();
    }
}
