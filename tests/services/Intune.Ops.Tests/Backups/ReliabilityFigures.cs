using System.Text.Json;
using System.Text.Json.Nodes;

namespace Intune.Ops.Tests.Backups;

/// <summary>
/// The figures of the recovery scenarios, written into the file <c>INTUNE_RELIABILITY_OUTPUT</c>
/// names (<c>./build.sh --target=Chaos</c> points it at docs/reliability.json), one entry per
/// scenario; without the variable nothing is written.
/// </summary>
internal static class ReliabilityFigures
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task WriteAsync(string scenario, JsonObject figures)
    {
        if (Environment.GetEnvironmentVariable("INTUNE_RELIABILITY_OUTPUT") is not { Length: > 0 } file)
        {
            return;
        }

        await Gate.WaitAsync();
        try
        {
            var document = File.Exists(file) ? JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject() : [];
            var scenarios = document["scenarios"] as JsonObject ?? [];
            figures["measuredAt"] = DateTimeOffset.UtcNow.ToString("u");
            figures["loadAverage"] = LoadAverage();
            scenarios[scenario] = figures;
            document["scenarios"] = scenarios.DeepClone();
            await File.WriteAllTextAsync(file, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The machine's 1-minute load average (Linux), so a figure says how busy the machine was.</summary>
    private static string? LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : null;
}
