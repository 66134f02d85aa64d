using System.Text.Json;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Resources.ManagedDevices;
using Intune.Grains.Devices;
using Intune.Grains.Errors;
using Intune.Routing;

namespace Intune.AdminGateway.Resources.DeviceActions;

/// <summary>
/// Remote actions admins ask of a device (lock, retire, wipe, sync, reboot, passcode reset, shut
/// down): queued on the device and pushed to it. The one place REST and gRPC go through.
/// </summary>
public sealed class DeviceActionService(IScaleUnitRouter router)
{
    /// <summary>Graph's name of the action: <c>remoteLock</c>, <c>syncDevice</c>, ...</summary>
    public static string ActionName(DeviceActionKind kind) => JsonNamingPolicy.CamelCase.ConvertName(kind.ToString());

    /// <summary>Only wipe takes parameters: the one place REST bodies and gRPC fields are refused for the others.</summary>
    public static void EnsureTakesParameters(DeviceActionKind kind)
    {
        if (kind != DeviceActionKind.Wipe)
        {
            throw new InvalidRequestException($"The action '{ActionName(kind)}' takes no parameters.");
        }
    }

    /// <summary>Queues the action and nudges the device.</summary>
    /// <exception cref="NotFoundException">The device is not in this tenant.</exception>
    public async Task RequestAsync(string tenantId, string deviceId, DeviceActionRequest request, AuditRecorder audit)
    {
        if (request.KeepEnrollmentData || request.KeepUserData || request.MacOsUnlockCode is not null)
        {
            EnsureTakesParameters(request.Kind);
        }

        var device = await ManagedDeviceCommands.DeviceAsync(router, tenantId, deviceId);
        if (await device.RequestActionAsync(request) is null)
        {
            throw ManagedDeviceQueryService.NotFound(deviceId);
        }

        audit.AddResource("ManagedDevice", deviceId, deviceId);
    }
}
