using Intune.Benchmarks;
using Intune.Benchmarks.Scenarios;

if (args.Length > 0 && args[0] == DeviceSide.Flag)
{
    // The fan-out's connected devices, started by the benchmark itself (see DeviceSide).
    OpenFiles.Raise(wanted: 1_048_576);
    return await DeviceSide.RunAsync(args);
}

// ./build.sh --target=Bench [--profile=full]  →  dotnet run -c Release --project tests/benchmarks/Intune.Benchmarks -- --profile quick --output docs
var profileName = ArgValue("--profile") ?? "quick";
var output = ArgValue("--output") ?? "docs";
var profile = profileName switch
{
    "quick" => Profile.Quick,
    "full" => Profile.Full,
    "smoke" => Profile.Smoke,
    _ => throw new ArgumentException($"Unknown profile '{profileName}': use quick or full."),
};
// --scenarios transport: only enrollment, the transport ladder and the check-ins (minutes, no seeding), in a section of its own.
var transportOnly = ArgValue("--scenarios") == "transport";
var command = (profileName == "quick" ? "./build.sh --target=Bench" : $"./build.sh --target=Bench --profile={profileName}")
    + (transportOnly ? " --scenarios=transport" : string.Empty);
var report = new Report(transportOnly ? $"{profile.Name}-transport" : profile.Name, command);
Console.WriteLine($"Intune.Cluster benchmarks, profile {profile.Name}{(transportOnly ? ", transport scenarios only" : string.Empty)}");
// Connected devices hold two descriptors each in this one process (client and server end).
report.Setup(OpenFiles.Raise(wanted: (ulong)(profile.FanOutConnected * 2) + 50_000));
await new SystemBenchmarks(profile, report).RunAsync(transportOnly);
report.Write(output);
Console.WriteLine($"Wrote {Path.Combine(output, "benchmarks.md")} and benchmarks-{profile.Name}.json");
return 0;

string? ArgValue(string name)
{
    for (var i = 0; i < args.Length; i++)
    {
        if (args[i] == name && i + 1 < args.Length)
        {
            return args[i + 1];
        }

        if (args[i].StartsWith(name + "=", StringComparison.Ordinal))
        {
            return args[i][(name.Length + 1)..];
        }
    }

    return null;
}
