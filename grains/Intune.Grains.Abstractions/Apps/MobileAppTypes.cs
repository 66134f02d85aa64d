using Intune.Grains.Devices;
using Intune.Grains.Policies;

namespace Intune.Grains.Apps;

/// <summary>One property of an app type, as Graph v1.0 names it; <paramref name="Required"/> on create.</summary>
public sealed record AppPropertySchema(string Name, SettingType Type, bool Required = false);

/// <summary>
/// An app type the catalog serves: its <c>@odata.type</c>, the platform it installs on, whether it
/// carries a package (line-of-business) with the file extension and size limit Intune enforces, and
/// its own properties. Store and web apps carry no package: devices get a store identifier or URL.
/// </summary>
public sealed record MobileAppType(
    string ODataType,
    DevicePlatform Platform,
    IReadOnlyList<AppPropertySchema> Properties,
    string? PackageExtension = null,
    long MaxPackageBytes = 0)
{
    private readonly Dictionary<string, AppPropertySchema> _byName = Properties.ToDictionary(p => p.Name, StringComparer.Ordinal);

    public bool IsLineOfBusiness => PackageExtension is not null;

    public AppPropertySchema? Find(string name) => _byName.GetValueOrDefault(name) ?? MobileAppTypes.Common.FirstOrDefault(p => p.Name == name);
}

/// <summary>The app types served (docs/apps.md), with Graph v1.0's property names.</summary>
public static class MobileAppTypes
{
    public const string ODataNamespace = "#microsoft.graph.";

    private const long GiB = 1024L * 1024 * 1024;

    /// <summary>Properties of every <c>mobileApp</c> (displayName and publisher are typed on the definition).</summary>
    public static readonly IReadOnlyList<AppPropertySchema> Common =
    [
        new("description", SettingType.String),
        new("developer", SettingType.String),
        new("owner", SettingType.String),
        new("notes", SettingType.String),
        new("informationUrl", SettingType.String),
        new("privacyInformationUrl", SettingType.String),
        new("isFeatured", SettingType.Boolean),
        new("largeIcon", SettingType.Json),
        new("displayVersion", SettingType.String),
    ];

    /// <summary>Properties every line-of-business type has beside its own (fileName is the package's name).</summary>
    private static readonly AppPropertySchema[] Lob = [new("fileName", SettingType.String)];

    public static readonly IReadOnlyList<MobileAppType> All =
    [
        new("iosStoreApp", DevicePlatform.IOS,
        [
            new("bundleId", SettingType.String, Required: true), new("appStoreUrl", SettingType.String, Required: true),
            new("applicableDeviceType", SettingType.Json), new("minimumSupportedOperatingSystem", SettingType.Json),
        ]),
        new("androidStoreApp", DevicePlatform.Android,
        [
            new("packageId", SettingType.String, Required: true), new("appStoreUrl", SettingType.String, Required: true),
            new("minimumSupportedOperatingSystem", SettingType.Json),
        ]),
        new("androidManagedStoreApp", DevicePlatform.Android,
        [
            new("packageId", SettingType.String, Required: true), new("appIdentifier", SettingType.String), new("appStoreUrl", SettingType.String, Required: true),
            new("isPrivate", SettingType.Boolean), new("isSystemApp", SettingType.Boolean), new("supportsOemConfig", SettingType.Boolean),
            new("totalLicenseCount", SettingType.Int32), new("usedLicenseCount", SettingType.Int32),
        ]),
        new("webApp", DevicePlatform.Unknown,
        [
            new("appUrl", SettingType.String, Required: true), new("useManagedBrowser", SettingType.Boolean),
        ]),
        new("winGetApp", DevicePlatform.Windows,
        [
            new("packageIdentifier", SettingType.String, Required: true), new("manifestHash", SettingType.String), new("installExperience", SettingType.Json),
        ]),
        new("win32LobApp", DevicePlatform.Windows,
        [
            .. Lob,
            new("installCommandLine", SettingType.String, Required: true), new("uninstallCommandLine", SettingType.String, Required: true),
            new("setupFilePath", SettingType.String), new("rules", SettingType.Json, Required: true), new("installExperience", SettingType.Json),
            new("returnCodes", SettingType.Json), new("msiInformation", SettingType.Json), new("applicableArchitectures", SettingType.String),
            new("minimumSupportedOperatingSystem", SettingType.Json), new("minimumSupportedWindowsRelease", SettingType.String),
            new("minimumFreeDiskSpaceInMB", SettingType.Int32), new("minimumMemoryInMB", SettingType.Int32),
            new("minimumNumberOfProcessors", SettingType.Int32), new("minimumCpuSpeedInMHz", SettingType.Int32),
        ], ".intunewin", 30 * GiB),
        new("windowsMobileMSI", DevicePlatform.Windows,
        [
            .. Lob,
            new("productCode", SettingType.String, Required: true), new("productVersion", SettingType.String), new("commandLine", SettingType.String),
            new("identityVersion", SettingType.String), new("ignoreVersionDetection", SettingType.Boolean), new("useDeviceContext", SettingType.Boolean),
        ], ".msi", 8 * GiB),
        new("androidLobApp", DevicePlatform.Android,
        [
            .. Lob,
            new("packageId", SettingType.String, Required: true), new("minimumSupportedOperatingSystem", SettingType.Json, Required: true),
            new("identityName", SettingType.String), new("identityVersion", SettingType.String), new("versionCode", SettingType.String), new("versionName", SettingType.String),
        ], ".apk", 8 * GiB),
        new("iosLobApp", DevicePlatform.IOS,
        [
            .. Lob,
            new("bundleId", SettingType.String, Required: true), new("minimumSupportedOperatingSystem", SettingType.Json, Required: true),
            new("applicableDeviceType", SettingType.Json), new("buildNumber", SettingType.String), new("versionNumber", SettingType.String),
            new("expirationDateTime", SettingType.String),
        ], ".ipa", 8 * GiB),
        new("macOSLobApp", DevicePlatform.MacOS,
        [
            .. Lob,
            new("bundleId", SettingType.String, Required: true), new("minimumSupportedOperatingSystem", SettingType.Json, Required: true),
            new("buildNumber", SettingType.String), new("versionNumber", SettingType.String), new("childApps", SettingType.Json),
            new("ignoreVersionDetection", SettingType.Boolean), new("installAsManaged", SettingType.Boolean),
        ], ".pkg", 8 * GiB),
        new("macOSPkgApp", DevicePlatform.MacOS,
        [
            .. Lob,
            new("primaryBundleId", SettingType.String, Required: true), new("primaryBundleVersion", SettingType.String),
            new("includedApps", SettingType.Json), new("minimumSupportedOperatingSystem", SettingType.Json, Required: true),
            new("ignoreVersionDetection", SettingType.Boolean), new("preInstallScript", SettingType.Json), new("postInstallScript", SettingType.Json),
        ], ".pkg", 8 * GiB),
    ];

    private static readonly Dictionary<string, MobileAppType> ByName = All.ToDictionary(t => t.ODataType, StringComparer.Ordinal);

    /// <summary>The type for a name, with or without the <c>#microsoft.graph.</c> prefix.</summary>
    public static MobileAppType? Find(string? odataType)
    {
        if (string.IsNullOrEmpty(odataType))
        {
            return null;
        }

        return ByName.GetValueOrDefault(odataType.StartsWith(ODataNamespace, StringComparison.Ordinal) ? odataType[ODataNamespace.Length..] : odataType);
    }

    /// <summary>The store identifier a device installs a store app by (bundle id, package id, URL, WinGet id), or null for a package.</summary>
    public static string? StoreIdentifier(MobileAppDefinition app) => app.ODataType switch
    {
        "iosStoreApp" => Text(app, "bundleId"),
        "androidStoreApp" or "androidManagedStoreApp" => Text(app, "packageId"),
        "webApp" => Text(app, "appUrl"),
        "winGetApp" => Text(app, "packageIdentifier"),
        _ => null,
    };

    /// <summary>A string property's value (its JSON text unquoted), or null.</summary>
    public static string? Text(MobileAppDefinition app, string name) =>
        app.Properties.TryGetValue(name, out var json) && json.Length >= 2 && json[0] == '"'
            ? System.Text.Json.JsonSerializer.Deserialize<string>(json)
            : null;
}
