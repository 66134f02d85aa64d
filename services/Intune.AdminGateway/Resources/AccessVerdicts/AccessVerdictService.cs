using Intune.AdminGateway.Resources.ManagedDevices;
using Intune.Grains;
using Intune.Grains.Devices;
using Intune.Grains.Errors;
using Intune.Routing;

namespace Intune.AdminGateway.Resources.AccessVerdicts;

/// <summary>"Is this device managed and compliant": by id (conditional access) or by hardware (network access control).</summary>
public sealed class AccessVerdictService(IScaleUnitRouter router)
{
    /// <summary>Conditional access: is the device managed and compliant. Another tenant's device is not found.</summary>
    public async Task<AccessVerdict> ByDeviceAsync(string tenantId, string deviceId) =>
        (Guid.TryParse(deviceId, out _)
            ? await (await router.ForTenantAsync(tenantId)).GetGrain<IDeviceComplianceGrain>(GrainKeys.Scoped(tenantId, deviceId)).GetAccessVerdictAsync()
            : null) ?? throw ManagedDeviceQueryService.NotFound(deviceId);

    /// <summary>Network access control: the verdict for the device with this serial number or (else) MAC address.</summary>
    public async Task<AccessVerdict> ByHardwareAsync(string tenantId, string? serialNumber, string? macAddress)
    {
        var (kind, value) = !string.IsNullOrWhiteSpace(serialNumber)
            ? (HardwareKind.SerialNumber, serialNumber)
            : !string.IsNullOrWhiteSpace(macAddress) && HardwareIndex.Normalize(HardwareKind.MacAddress, macAddress).Length == 12
                ? (HardwareKind.MacAddress, macAddress)
                : throw new InvalidRequestException("Give serialNumber or macAddress (12 hex digits, any separators).", "serialNumber");
        var grains = await router.ForTenantAsync(tenantId);
        var deviceId = await grains.GetGrain<IHardwareIndexGrain>(tenantId).FindDeviceIdAsync(kind, value);
        return (deviceId is null ? null : await grains.GetGrain<IDeviceComplianceGrain>(GrainKeys.Scoped(tenantId, deviceId)).GetAccessVerdictAsync())
            ?? throw new NotFoundException($"No managed device of this tenant reported {(kind == HardwareKind.SerialNumber ? "serial number" : "MAC address")} '{value}'.");
    }
}
