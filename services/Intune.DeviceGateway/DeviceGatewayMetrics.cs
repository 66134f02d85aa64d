using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Intune.ServiceDefaults;

namespace Intune.DeviceGateway;

/// <summary>What the device gateway itself sees: enrollments by result, refused device calls, nudges written to devices' streams.</summary>
internal static class DeviceGatewayMetrics
{
    private static readonly Meter Meter = new(ServiceDefaultsExtensions.TelemetryName);

    private static readonly Counter<long> Enrollments = Meter.CreateCounter<long>(
        "intune.device.enrollments", unit: "{enrollment}", description: "Enrollments through the device gateway, by result (enrolled or the refusal) and platform.");

    private static readonly Counter<long> Refused = Meter.CreateCounter<long>(
        "intune.device.calls_refused", unit: "{call}", description: "Device calls refused before or by the Device grain, by method and gRPC status.");

    private static readonly Counter<long> NudgesDelivered = Meter.CreateCounter<long>(
        "intune.device.nudges_delivered", unit: "{nudge}", description: "Nudges written to devices' open Listen streams.");

    public static void Enrolled(string platform, string result) =>
        Enrollments.Add(1, new TagList { { "result", result }, { "platform", platform } });

    public static void CallRefused(string method, StatusCode status) =>
        Refused.Add(1, new TagList { { "method", method }, { "status", status.ToString() } });

    public static void NudgeDelivered() => NudgesDelivered.Add(1);
}
