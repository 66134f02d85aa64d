using Intune.Grains;
using Intune.Grains.Devices;
using Intune.Routing;

namespace Intune.AdminGateway.Application;

/// <summary>
/// Reads devices for admins. The one place REST and gRPC fronts go through, so tenant
/// scoping and paging rules live once.
/// </summary>
public sealed class ManagedDeviceQueries(IScaleUnitRouter router)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public async Task<ManagedDevicePage> ListAsync(string tenantId, int pageSize, string? continuationToken)
    {
        var grains = await router.ForTenantAsync(tenantId);
        return await grains.GetGrain<IDeviceCatalogGrain>(0).ListAsync(tenantId, Math.Clamp(pageSize, 1, MaxPageSize), continuationToken);
    }

    /// <summary>The device, or null when it does not exist in this tenant (another tenant's device is not found).</summary>
    public async Task<ManagedDeviceView?> GetAsync(string tenantId, string deviceId)
    {
        if (!Guid.TryParse(deviceId, out _))
        {
            return null;
        }

        var grains = await router.ForTenantAsync(tenantId);
        var device = await grains.GetGrain<IDeviceGrain>(GrainKeys.Scoped(tenantId, deviceId)).GetAsync();
        return device?.TenantId == tenantId ? device : null;
    }
}
