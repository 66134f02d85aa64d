using System.CommandLine;
using System.Text.Json;
using Intune.CommandLine;

namespace Intune.DeviceSim;

/// <summary>
/// <c>intune-devicesim run --tenant &lt;id&gt; --enrollment-token &lt;t&gt; --devices &lt;N&gt; --platforms windows,ios,android,macos
/// [--noncompliant &lt;fraction&gt;] [--duration &lt;30s|5m|1h30m|00:05:00&gt;] [--json]</c> (docs/architecture.md §6).
/// Tests run it in-process with a simulation of their own.
/// </summary>
public static class DeviceSimCli
{
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        RunAsync(args, output, error, (options, ct) => new Simulation(options).RunAsync(ct), cancellationToken);

    public static async Task<int> RunAsync(
        string[] args,
        TextWriter output,
        TextWriter error,
        Func<SimulationOptions, CancellationToken, Task<SimulationSummary>> simulate,
        CancellationToken cancellationToken = default)
    {
        var root = BuildRoot(output, error, simulate);
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    internal static RootCommand BuildRoot(TextWriter output, TextWriter error, Func<SimulationOptions, CancellationToken, Task<SimulationSummary>> simulate)
    {
        var tenant = new Option<string>("--tenant") { Description = "Tenant id the devices enroll into.", Required = true };
        var token = new Option<string>("--enrollment-token") { Description = "Enrollment token of that tenant.", Required = true };
        var count = new Option<int>("--devices") { Description = "How many devices to simulate.", DefaultValueFactory = _ => 1 };
        var platforms = new Option<string>("--platforms") { Description = "Comma-separated mix: windows, ios, ipados, macos, android.", DefaultValueFactory = _ => "windows,ios,android,macos" };
        var noncompliant = new Option<double>("--noncompliant") { Description = "Fraction (0-1) of devices reporting noncompliant facts.", DefaultValueFactory = _ => 0 };
        var duration = Durations.Option("--duration", "How long to keep checking in after enrolling, e.g. 30s, 5m, 1h30m or 00:05:00. Zero: enroll, check in once, exit.", TimeSpan.Zero);
        var interval = Durations.OptionalOption("--check-in-interval", "A fixed time between check-ins, e.g. 10s; by default devices follow the service's schedule (next_check_in).");
        var scale = new Option<double>("--schedule-scale") { Description = "Multiplies the service's check-in schedule (0.01: a 15-minute interval becomes 9 s).", DefaultValueFactory = _ => 1.0 };
        var noListen = new Option<bool>("--no-listen") { Description = "Do not hold Listen streams (devices only check in on schedule)." };
        var gateway = new Option<Uri>("--gateway") { Description = "Device gateway URL.", DefaultValueFactory = _ => new Uri("https://127.0.0.1:5443") };
        var concurrency = new Option<int>("--concurrency") { Description = "Devices enrolling or checking in at once.", DefaultValueFactory = _ => 32 };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON (the progress bar goes to standard error)." };
        var apps = new Option<bool>("--apps") { Description = "Carry out app instructions: download packages from blob storage, verify their MAC and digest, report the install state." };

        var run = new Command("run", "Enroll and run simulated devices against the device gateway.")
        {
            tenant, token, count, platforms, noncompliant, duration, interval, scale, noListen, gateway, concurrency, json, apps,
        };
        run.SetAction(async (parse, cancellationToken) =>
        {
            List<Device.V1.Platform> mix;
            try
            {
                mix = parse.GetValue(platforms)!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(DeviceProfile.ParsePlatform).ToList();
            }
            catch (ArgumentException ex)
            {
                return await UsageAsync(error, ex.Message);
            }

            var fraction = parse.GetValue(noncompliant);
            if (fraction is < 0 or > 1)
            {
                return await UsageAsync(error, "--noncompliant must be between 0 and 1.");
            }

            if (parse.GetValue(scale) is <= 0 or > 1000)
            {
                return await UsageAsync(error, "--schedule-scale must be above 0 and at most 1000.");
            }

            if (mix.Count == 0)
            {
                return await UsageAsync(error, "--platforms names no platform.");
            }

            var asJson = parse.GetValue(json);
            var devices = Math.Max(1, parse.GetValue(count));
            var summary = await ConsoleProgress.RunAsync(asJson ? error : output, progress =>
            {
                var options = new SimulationOptions(
                    parse.GetValue(gateway)!,
                    parse.GetValue(tenant)!,
                    parse.GetValue(token)!,
                    devices,
                    mix,
                    fraction,
                    parse.GetValue(duration),
                    parse.GetValue(interval),
                    Math.Max(1, parse.GetValue(concurrency)),
                    parse.GetValue(scale),
                    !parse.GetValue(noListen))
                {
                    EnrollmentProgress = done => progress.Report("Enrolling", done, devices),
                    Apps = parse.GetValue(apps),
                };
                return simulate(options, cancellationToken);
            });
            await WriteSummaryAsync(output, summary, asJson);
            return ExitCodeOf(summary);
        });

        return new RootCommand($"Simulated Intune.Cluster devices.{Environment.NewLine}{ExitCodes.Help}") { run };
    }

    /// <summary>
    /// Refused enrollments (a bad token, a restriction, the device limit) say 3; a gateway that
    /// never answered says 4; devices that enrolled but failed later say 5.
    /// </summary>
    internal static int ExitCodeOf(SimulationSummary summary) =>
        summary.EnrollRefused > 0 ? ExitCodes.Refused
        : summary.EnrollFailures > 0 && summary.Enrolled == 0 ? ExitCodes.Unavailable
        : summary.EnrollFailures > 0 || summary.CheckInFailures > 0 ? ExitCodes.Failed
        : ExitCodes.Ok;

    private static async Task<int> UsageAsync(TextWriter error, string message)
    {
        await error.WriteLineAsync($"error: {message}");
        return ExitCodes.Usage;
    }

    private static async Task WriteSummaryAsync(TextWriter output, SimulationSummary summary, bool json)
    {
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(summary, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
            return;
        }

        await output.WriteLineAsync($"Enrolled {summary.Enrolled}/{summary.Requested} devices in {summary.ElapsedSeconds:F1} s; {summary.CheckIns} check-ins ({summary.NotModified} not modified, {summary.CheckInFailures} failed).");
        await output.WriteLineAsync($"Platforms: {string.Join(", ", summary.ByPlatform.Select(p => $"{p.Key} {p.Value}"))}");
        await output.WriteLineAsync($"Compliance: {string.Join(", ", summary.ByCompliance.Select(p => $"{p.Key} {p.Value}"))}");
        await output.WriteLineAsync($"Nudges received: {summary.Nudges}; commands executed: {(summary.CommandsExecuted.Count == 0 ? "none" : string.Join(", ", summary.CommandsExecuted.Select(c => $"{c.Key} {c.Value}")))}; unenrolled (retired/wiped): {summary.Unenrolled}.");
        foreach (var error in summary.Errors)
        {
            await output.WriteLineAsync($"error: {error}");
        }
    }
}
