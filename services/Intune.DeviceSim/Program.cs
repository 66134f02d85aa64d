using System.CommandLine;
using System.Text.Json;
using Intune.DeviceSim;

// intune-devicesim run --tenant <id> --enrollment-token <t> --devices <N> --platforms windows,ios,android,macos
//   [--noncompliant <fraction>] [--duration <time>] [--json]   (ARCHITECTURE.md §6)
var tenant = new Option<string>("--tenant") { Description = "Tenant id the devices enroll into.", Required = true };
var token = new Option<string>("--enrollment-token") { Description = "Enrollment token of that tenant.", Required = true };
var count = new Option<int>("--devices") { Description = "How many devices to simulate.", DefaultValueFactory = _ => 1 };
var platforms = new Option<string>("--platforms") { Description = "Comma-separated mix: windows, ios, ipados, macos, android.", DefaultValueFactory = _ => "windows,ios,android,macos" };
var noncompliant = new Option<double>("--noncompliant") { Description = "Fraction (0-1) of devices reporting noncompliant facts.", DefaultValueFactory = _ => 0 };
var duration = new Option<TimeSpan>("--duration") { Description = "How long to keep checking in after enrolling (e.g. 00:01:00). Zero: enroll, check in once, exit.", DefaultValueFactory = _ => TimeSpan.Zero };
var interval = new Option<TimeSpan?>("--check-in-interval") { Description = "A fixed time between check-ins; by default devices follow the service's schedule (next_check_in)." };
var scale = new Option<double>("--schedule-scale") { Description = "Multiplies the service's check-in schedule (0.01: a 15-minute interval becomes 9 s).", DefaultValueFactory = _ => 1.0 };
var noListen = new Option<bool>("--no-listen") { Description = "Do not hold Listen streams (devices only check in on schedule)." };
var gateway = new Option<Uri>("--gateway") { Description = "Device gateway URL.", DefaultValueFactory = _ => new Uri("https://127.0.0.1:5443") };
var concurrency = new Option<int>("--concurrency") { Description = "Devices enrolling or checking in at once.", DefaultValueFactory = _ => 32 };
var json = new Option<bool>("--json") { Description = "Print the summary as JSON." };

var run = new Command("run", "Enroll and run simulated devices against the device gateway.")
{
    tenant, token, count, platforms, noncompliant, duration, interval, scale, noListen, gateway, concurrency, json,
};
run.SetAction(async (parse, cancellationToken) =>
{
    var mix = parse.GetValue(platforms)!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(DeviceProfile.ParsePlatform).ToList();
    var fraction = parse.GetValue(noncompliant);
    if (fraction is < 0 or > 1)
    {
        Console.Error.WriteLine("--noncompliant must be between 0 and 1.");
        return 2;
    }

    if (parse.GetValue(scale) is <= 0 or > 1000)
    {
        Console.Error.WriteLine("--schedule-scale must be above 0 and at most 1000.");
        return 2;
    }

    var options = new SimulationOptions(
        parse.GetValue(gateway)!,
        parse.GetValue(tenant)!,
        parse.GetValue(token)!,
        Math.Max(1, parse.GetValue(count)),
        mix,
        fraction,
        parse.GetValue(duration),
        parse.GetValue(interval),
        Math.Max(1, parse.GetValue(concurrency)),
        parse.GetValue(scale),
        !parse.GetValue(noListen));
    var summary = await new Simulation(options).RunAsync(cancellationToken);
    if (parse.GetValue(json))
    {
        Console.WriteLine(JsonSerializer.Serialize(summary, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
    }
    else
    {
        Console.WriteLine($"Enrolled {summary.Enrolled}/{summary.Requested} devices in {summary.ElapsedSeconds:F1} s; {summary.CheckIns} check-ins ({summary.NotModified} not modified, {summary.CheckInFailures} failed).");
        Console.WriteLine($"Platforms: {string.Join(", ", summary.ByPlatform.Select(p => $"{p.Key} {p.Value}"))}");
        Console.WriteLine($"Compliance: {string.Join(", ", summary.ByCompliance.Select(p => $"{p.Key} {p.Value}"))}");
        Console.WriteLine($"Nudges received: {summary.Nudges}; commands executed: {(summary.CommandsExecuted.Count == 0 ? "none" : string.Join(", ", summary.CommandsExecuted.Select(c => $"{c.Key} {c.Value}")))}; unenrolled (retired/wiped): {summary.Unenrolled}.");
        foreach (var error in summary.Errors)
        {
            Console.WriteLine($"error: {error}");
        }
    }

    return summary.EnrollFailures == 0 && summary.CheckInFailures == 0 ? 0 : 1;
});

var root = new RootCommand("Simulated Intune.Cluster devices.") { run };
return await root.Parse(args).InvokeAsync();
