namespace Intune.Grains.Apps;

/// <summary>
/// One app as a device holds it (stored in the Device grain's state): what it was told to do, from
/// which version of the app, and what it last reported. Stored format: add members with new ids only.
/// </summary>
[GenerateSerializer, Alias("intune.DeviceAppState")]
public sealed class DeviceAppState
{
    [Id(0)] public int Version { get; set; }
    [Id(1)] public AppAction Action { get; set; }
    [Id(2)] public string DisplayName { get; set; } = string.Empty;
    [Id(3)] public string ODataType { get; set; } = string.Empty;
    [Id(4)] public string? StoreIdentifier { get; set; }
    [Id(5)] public AppPackage? Package { get; set; }
    [Id(6)] public string? DetectionRulesJson { get; set; }
    [Id(7)] public AppInstallState InstallState { get; set; }
    [Id(8)] public int ErrorCode { get; set; }
    /// <summary>The app configuration delivered with the app, at its version, with this device's token values in it.</summary>
    [Id(9)] public string? ConfigurationId { get; set; }
    [Id(10)] public int ConfigurationVersion { get; set; }
    [Id(11)] public string? Configuration { get; set; }
}
