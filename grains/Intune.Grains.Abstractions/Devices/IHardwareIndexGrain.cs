namespace Intune.Grains.Devices;

public enum HardwareKind
{
    SerialNumber,
    MacAddress,
}

/// <summary>Keys of the hardware index: one identifier of a tenant's devices (<c>serial:…</c> or <c>mac:…</c>), normalized.</summary>
public static class HardwareIndex
{
    public static string Key(HardwareKind kind, string value) =>
        $"{(kind == HardwareKind.SerialNumber ? "serial" : "mac")}:{Normalize(kind, value)}";

    /// <summary>Serials compare case-insensitively; MACs without separators ("00-1A-2B…" = "001a2b…").</summary>
    public static string Normalize(HardwareKind kind, string value) => kind == HardwareKind.MacAddress
        ? new string(value.Where(Uri.IsHexDigit).ToArray()).ToUpperInvariant()
        : value.Trim().ToUpperInvariant();
}

/// <summary>
/// Network access control's lookup: which of the tenant's devices reported a serial number or MAC
/// address (key = tenant id). The index itself is table rows the Device grains keep; this grain
/// only reads them, from the silo that holds the storage.
/// </summary>
[Alias("intune.IHardwareIndexGrain")]
public interface IHardwareIndexGrain : IGrainWithStringKey
{
    /// <summary>The device that most recently reported the identifier, or null.</summary>
    [Alias("FindDeviceIdAsync")]
    Task<string?> FindDeviceIdAsync(HardwareKind kind, string value);
}
