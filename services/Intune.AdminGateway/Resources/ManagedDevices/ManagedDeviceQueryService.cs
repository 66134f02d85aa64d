using Intune.Grains;
using Intune.Grains.Devices;
using Intune.Grains.Errors;
using Intune.Grains.Policies;
using Intune.Routing;

namespace Intune.AdminGateway.Resources.ManagedDevices;

/// <summary>
/// Reads devices for admins. The one place REST and gRPC fronts go through, so tenant
/// scoping and paging rules live once; a device of another tenant is not found.
/// </summary>
public sealed class ManagedDeviceQueryService(IScaleUnitRouter router)
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

    /// <exception cref="NotFoundException">The device does not exist in this tenant.</exception>
    public async Task<ManagedDeviceView> GetAsync(string tenantId, string deviceId)
    {
        // Device ids are GUIDs we issue; anything else cannot name a device and must not activate a grain.
        var device = Guid.TryParse(deviceId, out _)
            ? await (await router.ForTenantAsync(tenantId)).GetGrain<IDeviceGrain>(GrainKeys.Scoped(tenantId, deviceId)).GetAsync()
            : null;
        return device?.TenantId == tenantId ? device : throw NotFound(deviceId);
    }

    /// <summary>The device's state for each of its policies of one kind (Graph <c>deviceCompliancePolicyStates</c>), with per-setting results.</summary>
    public async Task<IReadOnlyList<DevicePolicyStatus>> PolicyStatesAsync(string tenantId, string deviceId, PolicyKind kind) =>
        await (await ComplianceAsync(tenantId, deviceId)).GetPolicyStatusesAsync(kind);

    /// <summary>The noncompliance notifications sent about the device.</summary>
    public async Task<IReadOnlyList<ComplianceNotification>> NotificationsAsync(string tenantId, string deviceId) =>
        await (await ComplianceAsync(tenantId, deviceId)).GetNotificationsAsync();

    public static NotFoundException NotFound(string deviceId) => new($"No managedDevice with id '{deviceId}' exists in this tenant.");

    /// <summary>The compliance side of a device of this tenant.</summary>
    private async Task<IDeviceComplianceGrain> ComplianceAsync(string tenantId, string deviceId)
    {
        var device = Guid.TryParse(deviceId, out _)
            ? (await router.ForTenantAsync(tenantId)).GetGrain<IDeviceComplianceGrain>(GrainKeys.Scoped(tenantId, deviceId))
            : null;
        return device is not null && await device.GetAccessVerdictAsync() is not null ? device : throw NotFound(deviceId);
    }
}
