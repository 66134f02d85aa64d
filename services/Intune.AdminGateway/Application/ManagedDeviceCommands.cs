using Intune.Grains;
using Intune.Grains.Devices;
using Intune.Routing;

namespace Intune.AdminGateway.Application;

/// <summary>
/// Changes admins make to devices: remote actions, edits and deletion. The one place REST and
/// gRPC fronts go through; a device of another tenant is simply not found.
/// </summary>
public sealed class ManagedDeviceCommands(IScaleUnitRouter router)
{
    /// <summary>Queues the action and nudges the device; false when the device is not in this tenant.</summary>
    public async Task<bool> RequestActionAsync(string tenantId, string deviceId, DeviceActionRequest request)
    {
        if (await DeviceAsync(tenantId, deviceId) is not { } device)
        {
            return false;
        }

        return await device.RequestActionAsync(request) is not null;
    }

    public async Task<ManagedDeviceView?> UpdateAsync(string tenantId, string deviceId, ManagedDeviceUpdate update) =>
        await DeviceAsync(tenantId, deviceId) is { } device ? await device.UpdateAsync(update) : null;

    public async Task<bool> DeleteAsync(string tenantId, string deviceId) =>
        await DeviceAsync(tenantId, deviceId) is { } device && await device.DeleteAsync();

    private async Task<IDeviceGrain?> DeviceAsync(string tenantId, string deviceId)
    {
        // Device ids are GUIDs we issue; anything else cannot name a device and must not activate a grain.
        if (!Guid.TryParse(deviceId, out _))
        {
            return null;
        }

        var grains = await router.ForTenantAsync(tenantId);
        return grains.GetGrain<IDeviceGrain>(GrainKeys.Scoped(tenantId, deviceId));
    }
}
