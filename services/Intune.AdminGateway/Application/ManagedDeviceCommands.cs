using System.Text.Json;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.Grains;
using Intune.Grains.Devices;
using Intune.Routing;

namespace Intune.AdminGateway.Application;

/// <summary>
/// Changes admins make to devices: remote actions, edits and deletion. The one place REST and
/// gRPC fronts go through; a device of another tenant is simply not found. Each change names
/// itself in the call's <see cref="AuditRecorder"/>, which the front turns into an auditEvent.
/// </summary>
public sealed class ManagedDeviceCommands(IScaleUnitRouter router)
{
    /// <summary>The Intune operation each remote action needs (the same on REST and gRPC).</summary>
    public static readonly IReadOnlyDictionary<DeviceActionKind, string> ActionPermissions = new Dictionary<DeviceActionKind, string>
    {
        [DeviceActionKind.RemoteLock] = AdminPermissions.RemoteTasksRemoteLock,
        [DeviceActionKind.Retire] = AdminPermissions.RemoteTasksRetire,
        [DeviceActionKind.Wipe] = AdminPermissions.RemoteTasksWipe,
        [DeviceActionKind.SyncDevice] = AdminPermissions.RemoteTasksSyncDevice,
        [DeviceActionKind.RebootNow] = AdminPermissions.RemoteTasksRebootNow,
        [DeviceActionKind.ResetPasscode] = AdminPermissions.RemoteTasksResetPasscode,
        [DeviceActionKind.ShutDown] = AdminPermissions.RemoteTasksShutDown,
    };

    /// <summary>Graph's name of the action: <c>remoteLock</c>, <c>syncDevice</c>, ...</summary>
    public static string ActionName(DeviceActionKind kind) => JsonNamingPolicy.CamelCase.ConvertName(kind.ToString());

    /// <summary>Graph's <c>managedDeviceOwnerType</c> an admin may set: <c>company</c> or <c>personal</c>.</summary>
    public static DeviceOwnership ParseOwnerType(string? value) => value switch
    {
        "company" => DeviceOwnership.Company,
        "personal" => DeviceOwnership.Personal,
        _ => throw new AdminInputException($"'managedDeviceOwnerType' must be 'company' or 'personal'; got '{value}'."),
    };

    /// <summary>Only wipe takes parameters: the one place REST bodies and gRPC fields are refused for the others.</summary>
    public static void EnsureTakesParameters(DeviceActionKind kind)
    {
        if (kind != DeviceActionKind.Wipe)
        {
            throw new AdminInputException($"The action '{ActionName(kind)}' takes no parameters.");
        }
    }

    /// <summary>Queues the action and nudges the device; false when the device is not in this tenant.</summary>
    public async Task<bool> RequestActionAsync(string tenantId, string deviceId, DeviceActionRequest request, AuditRecorder audit)
    {
        audit.Describe($"{ActionName(request.Kind)} ManagedDevice", "Action", "Device");
        if (request.KeepEnrollmentData || request.KeepUserData || request.MacOsUnlockCode is not null)
        {
            EnsureTakesParameters(request.Kind);
        }

        if (await DeviceAsync(tenantId, deviceId) is not { } device || await device.RequestActionAsync(request) is null)
        {
            return false;
        }

        audit.AddResource("ManagedDevice", deviceId, deviceId, null, null);
        return true;
    }

    /// <summary>Applies the admin-editable fields; null when the device is not in this tenant.</summary>
    public async Task<ManagedDeviceView?> UpdateAsync(string tenantId, string deviceId, ManagedDeviceUpdate update, AuditRecorder audit)
    {
        audit.Describe("Patch ManagedDevice", "Patch", "Device");
        if (await DeviceAsync(tenantId, deviceId) is not { } device || await device.GetAsync() is not { } before || before.TenantId != tenantId)
        {
            return null;
        }

        var after = await device.UpdateAsync(update);
        if (after is not null)
        {
            audit.AddResource("ManagedDevice", deviceId, after.DeviceName, Editable(before), Editable(after));
        }

        return after;
    }

    /// <summary>Removes the device record; false when the device is not in this tenant.</summary>
    public async Task<bool> DeleteAsync(string tenantId, string deviceId, AuditRecorder audit)
    {
        audit.Describe("Delete ManagedDevice", "Delete", "Device");
        if (await DeviceAsync(tenantId, deviceId) is not { } device || !await device.DeleteAsync())
        {
            return false;
        }

        audit.AddResource("ManagedDevice", deviceId, deviceId, null, null);
        return true;
    }

    /// <summary>The properties an admin can change, under their Graph names, for the audit trail.</summary>
    private static Dictionary<string, string?> Editable(ManagedDeviceView device) => new()
    {
        ["notes"] = device.Notes,
        ["managedDeviceOwnerType"] = DeviceFields.GraphName(device.Ownership.ToString()),
    };

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
