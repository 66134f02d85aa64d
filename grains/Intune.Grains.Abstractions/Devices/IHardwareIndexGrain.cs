namespace Intune.Grains.Devices;

public enum HardwareKind
{
    SerialNumber,
    MacAddress,
}

/// <summary>Keys of the hardware index: one grain per tenant and identifier, so a lookup is one point read.</summary>
public static class HardwareIndex
{
    public static string Key(string tenantId, HardwareKind kind, string value) =>
        GrainKeys.Scoped(tenantId, $"{(kind == HardwareKind.SerialNumber ? "serial" : "mac")}:{Normalize(kind, value)}");

    /// <summary>Serials compare case-insensitively; MACs without separators ("00-1A-2B…" = "001a2b…").</summary>
    public static string Normalize(HardwareKind kind, string value) => kind == HardwareKind.MacAddress
        ? new string(value.Where(Uri.IsHexDigit).ToArray()).ToUpperInvariant()
        : value.Trim().ToUpperInvariant();
}

/// <summary>
/// Maps one serial number or MAC address of a tenant to the device that reported it: the
/// network-access-control lookup. Kept by the Device grain when its identifiers change.
/// </summary>
[Alias("intune.IHardwareIndexGrain")]
public interface IHardwareIndexGrain : IGrainWithStringKey
{
    [Alias("SetAsync")]
    Task SetAsync(string deviceId);

    /// <summary>Forgets the entry if it still points at this device.</summary>
    [Alias("RemoveAsync")]
    Task RemoveAsync(string deviceId);

    [Alias("GetDeviceIdAsync")]
    Task<string?> GetDeviceIdAsync();
}
