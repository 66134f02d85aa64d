using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Limits;
using Intune.Grains;
using Intune.Grains.Devices;
using Intune.Grains.Errors;
using Intune.Routing;

namespace Intune.AdminGateway.Resources.ManagedDevices;

/// <summary>
/// The edits admins make to a device record: notes, ownership, deletion. The one place REST and
/// gRPC go through; a device of another tenant is not found. Each change records the device, with
/// its editable properties before and after, in the call's <see cref="AuditRecorder"/>.
/// </summary>
public sealed class ManagedDeviceCommands(IScaleUnitRouter router)
{
    /// <summary>Graph's <c>managedDeviceOwnerType</c> an admin may set: <c>company</c> or <c>personal</c>.</summary>
    public static DeviceOwnership ParseOwnerType(string? value) => value switch
    {
        "company" => DeviceOwnership.Company,
        "personal" => DeviceOwnership.Personal,
        _ => throw new InvalidRequestException($"'managedDeviceOwnerType' must be 'company' or 'personal'; got '{value}'.", "managedDeviceOwnerType"),
    };

    /// <summary>Applies the admin-editable fields.</summary>
    /// <exception cref="NotFoundException">The device is not in this tenant.</exception>
    public async Task<ManagedDeviceView> UpdateAsync(string tenantId, string deviceId, ManagedDeviceUpdate update, AuditRecorder audit)
    {
        InputLimits.Text(update.Notes, "notes", InputLimits.MaxNotes);
        var device = await DeviceAsync(tenantId, deviceId);
        if (await device.GetAsync() is not { } before || before.TenantId != tenantId || await device.UpdateAsync(update) is not { } after)
        {
            throw ManagedDeviceQueryService.NotFound(deviceId);
        }

        audit.AddResource("ManagedDevice", deviceId, after.DeviceName, Editable(before), Editable(after));
        return after;
    }

    /// <summary>Removes the device record.</summary>
    /// <exception cref="NotFoundException">The device is not in this tenant.</exception>
    public async Task DeleteAsync(string tenantId, string deviceId, AuditRecorder audit)
    {
        if (!await (await DeviceAsync(tenantId, deviceId)).DeleteAsync())
        {
            throw ManagedDeviceQueryService.NotFound(deviceId);
        }

        audit.AddResource("ManagedDevice", deviceId, deviceId);
    }

    /// <summary>The properties an admin can change, under their Graph names, for the audit trail.</summary>
    private static Dictionary<string, string?> Editable(ManagedDeviceView device) => new()
    {
        ["notes"] = device.Notes,
        ["managedDeviceOwnerType"] = DeviceFields.GraphName(device.Ownership.ToString()),
    };

    /// <summary>The device's grain; ids that are not GUIDs we issued cannot name a device and must not activate a grain.</summary>
    internal static async Task<IDeviceGrain> DeviceAsync(IScaleUnitRouter router, string tenantId, string deviceId) =>
        Guid.TryParse(deviceId, out _)
            ? (await router.ForTenantAsync(tenantId)).GetGrain<IDeviceGrain>(GrainKeys.Scoped(tenantId, deviceId))
            : throw ManagedDeviceQueryService.NotFound(deviceId);

    private Task<IDeviceGrain> DeviceAsync(string tenantId, string deviceId) => DeviceAsync(router, tenantId, deviceId);
}
