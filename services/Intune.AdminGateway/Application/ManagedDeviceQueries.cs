using Intune.Grains;
using Intune.Grains.Devices;
using Intune.Grains.Policies;
using Intune.Routing;

namespace Intune.AdminGateway.Application;

/// <summary>
/// Reads devices for admins. The one place REST and gRPC fronts go through, so tenant
/// scoping and paging rules live once.
/// </summary>
public sealed class ManagedDeviceQueries(IScaleUnitRouter router)
{
    /// <summary>
    /// One page of the tenant's devices from its in-memory index (16 partitions, scatter-gather),
    /// never waking device grains; <see cref="DeviceQueryResult.Next"/> is the keyset of the next page.
    /// </summary>
    public async Task<DeviceQueryResult> QueryAsync(string tenantId, DeviceQuery query)
    {
        var grains = await router.ForTenantAsync(tenantId);
        return await grains.GetGrain<IDeviceQueryGrain>(0).QueryAsync(tenantId, query);
    }

    /// <summary>How many of the tenant's devices match <paramref name="filter"/>.</summary>
    public async Task<long> CountAsync(string tenantId, DeviceFilter? filter)
    {
        var result = await QueryAsync(tenantId, new DeviceQuery { Filter = filter, Top = 0, Count = true });
        return result.Count ?? 0;
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

    /// <summary>
    /// The device's state for each of its policies of <paramref name="kind"/> (Graph
    /// <c>deviceCompliancePolicyStates</c>); null when the device is not in this tenant.
    /// </summary>
    public async Task<IReadOnlyList<DevicePolicyStatus>?> PolicyStatesAsync(string tenantId, string deviceId, PolicyKind kind)
    {
        if (await GetAsync(tenantId, deviceId) is null)
        {
            return null;
        }

        var grains = await router.ForTenantAsync(tenantId);
        return await grains.GetGrain<IDeviceComplianceGrain>(GrainKeys.Scoped(tenantId, deviceId)).GetPolicyStatusesAsync(kind);
    }
}
