using Intune.Device.V1;

namespace Intune.DeviceSim;

/// <summary>What a simulated device is and reports: realistic facts per platform.</summary>
public sealed record DeviceProfile(Platform Platform, string DeviceName, string OsVersion, string Model, string Manufacturer, string SerialNumber, string UserPrincipalName, Ownership Ownership, bool Noncompliant)
{
    public static DeviceProfile Create(Platform platform, int index, bool noncompliant, Random random)
    {
        var serial = $"SIM{random.NextInt64(100_000_000, 999_999_999)}";
        var user = $"user{index % 1000:D3}@contoso.example";
        return platform switch
        {
            Platform.Windows => new(platform, $"DESKTOP-{serial[^6..]}", "10.0.22631.4460", "Surface Laptop 6", "Microsoft Corporation", serial, user, Ownership.Company, noncompliant),
            Platform.Ios => new(platform, $"iPhone-{serial[^4..]}", "18.1.1", "iPhone 15", "Apple", serial, user, Ownership.Company, noncompliant),
            Platform.Ipados => new(platform, $"iPad-{serial[^4..]}", "18.1.1", "iPad Air (5th generation)", "Apple", serial, user, Ownership.Company, noncompliant),
            Platform.Macos => new(platform, $"MacBook-{serial[^4..]}", "15.1.1", "MacBook Pro (14-inch, M3)", "Apple", serial, user, Ownership.Company, noncompliant),
            Platform.Android => new(platform, $"Pixel-{serial[^4..]}", "15", "Pixel 8", "Google", serial, user, Ownership.Personal, noncompliant),
            _ => throw new ArgumentOutOfRangeException(nameof(platform), platform, "Unknown platform."),
        };
    }

    public DeviceFacts Facts() => new()
    {
        OsVersion = OsVersion,
        Model = Model,
        Manufacturer = Manufacturer,
        SerialNumber = SerialNumber,
        DeviceName = DeviceName,
        StorageEncrypted = !Noncompliant,
        JailBroken = Noncompliant && Platform is Platform.Ios or Platform.Android ? TriState.True : TriState.False,
        PasscodeSet = !Noncompliant,
        PasscodeLength = Noncompliant ? 0 : 8,
        FirewallEnabled = Platform is Platform.Windows or Platform.Macos && !Noncompliant,
        SecureBootEnabled = Platform == Platform.Windows && !Noncompliant,
        BitlockerEnabled = Platform == Platform.Windows && !Noncompliant,
        TotalStorageBytes = 256L * 1024 * 1024 * 1024,
        FreeStorageBytes = 100L * 1024 * 1024 * 1024,
        AndroidSecurityPatchLevel = Platform == Platform.Android ? (Noncompliant ? "2023-01-05" : "2026-11-01") : string.Empty,
        Imei = Platform is Platform.Ios or Platform.Android ? $"35{SerialNumber[3..]}00000"[..15] : string.Empty,
    };

    public static Platform ParsePlatform(string name) => name.Trim().ToLowerInvariant() switch
    {
        "windows" => Platform.Windows,
        "ios" => Platform.Ios,
        "ipados" => Platform.Ipados,
        "macos" => Platform.Macos,
        "android" => Platform.Android,
        _ => throw new ArgumentException($"Unknown platform '{name}'. Use windows, ios, ipados, macos or android."),
    };
}
