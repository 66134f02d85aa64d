using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Intune.Device.V1;
using Intune.Grains.Apps;
using Intune.Grains.Devices;
using AppInstallReport = Intune.Grains.Apps.AppInstallReport;
using AppInstallState = Intune.Grains.Apps.AppInstallState;

namespace Intune.DeviceGateway.Apps;

/// <summary>Wire mapping of the app part of a check-in (proto fields 30–39; docs/apps.md).</summary>
internal static class AppPayload
{
    public static IReadOnlyList<AppInstallReport> Reports(CheckInRequest request) =>
        request.AppReports.Count == 0
            ? []
            : request.AppReports
                .Where(r => r.State != Intune.Device.V1.AppInstallState.Unspecified && !string.IsNullOrEmpty(r.AppId))
                .Select(r => new AppInstallReport(r.AppId, (AppInstallState)(int)r.State, r.ErrorCode))
                .ToList();

    public static IReadOnlyList<Intune.Grains.Apps.DetectedApp>? Inventory(CheckInRequest request) =>
        request.DetectedAppsReported
            ? request.DetectedApps
                .Where(a => !string.IsNullOrWhiteSpace(a.DisplayName))
                .Select(a => new Intune.Grains.Apps.DetectedApp(Cut(a.DisplayName)!, Cut(a.Version), Math.Max(0, a.SizeInByte), Cut(a.Publisher)))
                .ToList()
            : null;

    /// <summary>Inventory text is the device's to choose: empty is absent, and nothing longer than a display name is kept.</summary>
    private static string? Cut(string value) => value.Length == 0 ? null : value.Length > 256 ? value[..256] : value;

    public static void AddTo(CheckInResponse response, DeviceCheckInResult result)
    {
        foreach (var app in result.Apps)
        {
            var wire = new Intune.Device.V1.AppInstruction
            {
                AppId = app.AppId,
                DisplayName = app.DisplayName,
                OdataType = MobileAppTypes.ODataNamespace + app.ODataType,
                Action = (Intune.Device.V1.AppAction)(int)app.Action,
                Version = app.Version,
                StoreIdentifier = app.StoreIdentifier ?? string.Empty,
                DownloadUrl = app.DownloadUrl ?? string.Empty,
                Size = app.Size,
                SizeEncrypted = app.SizeEncrypted,
                DetectionRulesJson = app.DetectionRulesJson ?? string.Empty,
                ConfigurationId = app.ConfigurationId ?? string.Empty,
                Configuration = app.Configuration ?? string.Empty,
            };
            if (app.DownloadUrlExpiresOn is { } expires)
            {
                wire.DownloadUrlExpires = Timestamp.FromDateTimeOffset(expires);
            }

            if (app.EncryptionInfo is { } info)
            {
                wire.EncryptionKey = ByteString.CopyFrom(info.EncryptionKey);
                wire.InitializationVector = ByteString.CopyFrom(info.InitializationVector);
                wire.Mac = ByteString.CopyFrom(info.Mac);
                wire.MacKey = ByteString.CopyFrom(info.MacKey);
                wire.FileDigest = ByteString.CopyFrom(info.FileDigest);
            }

            response.Apps.Add(wire);
        }
    }
}
