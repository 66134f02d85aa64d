using System.Diagnostics;
using System.Diagnostics.Metrics;
using Intune.Grains.Devices;

namespace Intune.Grains.Telemetry;

/// <summary>
/// The Device grains' counters on the product meter (<c>Intune.Cluster</c>, exported on
/// <c>/metrics</c>): check-ins by result and platform, nudges sent to listening gateways.
/// </summary>
internal static class DeviceMetrics
{
    public const string MeterName = "Intune.Cluster";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> CheckIns = Meter.CreateCounter<long>(
        "intune.device.checkins", unit: "{checkin}", description: "Device check-ins answered by Device grains, by result (not_modified, modified, unenrolled) and platform.");

    private static readonly Counter<long> NudgesSent = Meter.CreateCounter<long>(
        "intune.device.nudges_sent", unit: "{nudge}", description: "Nudges a Device grain sent to the gateways its device listens through.");

    public static void CheckedIn(DevicePlatform platform, DeviceCheckInResult result) =>
        CheckIns.Add(1, new TagList
        {
            { "result", result.Unenrolled ? "unenrolled" : result.NotModified ? "not_modified" : "modified" },
            { "platform", PlatformName(platform) },
        });

    public static void NudgeSent() => NudgesSent.Add(1);

    private static string PlatformName(DevicePlatform platform) => platform switch
    {
        DevicePlatform.Windows => "windows",
        DevicePlatform.IOS => "ios",
        DevicePlatform.IPadOS => "ipados",
        DevicePlatform.MacOS => "macos",
        DevicePlatform.Android => "android",
        _ => "unknown",
    };
}
