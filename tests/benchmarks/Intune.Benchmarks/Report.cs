using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Intune.Benchmarks;

/// <summary>One measured figure, with the ceiling it is compared to when the scenario has one.</summary>
public sealed record Figure(
    string Scenario,
    string Metric,
    double Value,
    string Unit,
    string? Ceiling = null,
    double? CeilingValue = null,
    string? Target = null,
    bool? TargetMet = null,
    string? Notes = null,
    double? RequestsPerOperation = null)
{
    public double? Ratio => CeilingValue is > 0 ? Value / CeilingValue : null;
}

/// <summary>Writes docs/benchmarks.md and docs/benchmarks.json from one run's figures.</summary>
public sealed class Report(string profile, string command)
{
    private readonly List<Figure> _figures = [];
    private readonly List<string> _setup = [];
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private readonly string _loadAtStart = LoadAverage();

    public void Add(Figure figure)
    {
        _figures.Add(figure);
        var ratio = figure.Ratio is { } r ? $" ({r:P0} of {figure.Ceiling})" : string.Empty;
        var requests = figure.RequestsPerOperation is { } q ? $" [storage requests/op {q:F2}]" : string.Empty;
        var target = figure.Target is null ? string.Empty : $" target {figure.Target}: {(figure.TargetMet switch { true => "met", false => "NOT met", null => "not judged at this size" })}";
        Console.WriteLine($"  {figure.Scenario} | {figure.Metric}: {Format(figure.Value)} {figure.Unit}{ratio}{requests}{target}{(figure.Notes is null ? string.Empty : $" ({figure.Notes})")}");
    }

    /// <summary>A line for the section's header: how the run was set up (limits raised, processes used).</summary>
    public void Setup(string line)
    {
        _setup.Add(line);
        Console.WriteLine($"  setup: {line}");
    }

    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var machine = $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):F0} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
        var json = new
        {
            profile,
            command,
            date = _started,
            durationSeconds = (DateTimeOffset.UtcNow - _started).TotalSeconds,
            machine,
            setup = _setup,
            figures = _figures.Select(f => new { f.Scenario, f.Metric, f.Value, f.Unit, f.Ceiling, f.CeilingValue, f.Ratio, f.Target, f.TargetMet, f.Notes, f.RequestsPerOperation }),
        };
        File.WriteAllText(Path.Combine(directory, $"benchmarks-{profile}.json"), JsonSerializer.Serialize(json, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));

        var md = new StringBuilder();
        md.AppendLine($"## Profile `{profile}` — {_started:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine($"- Command: `{command}`");
        md.AppendLine($"- Machine: {machine}; the load generator and the whole scale unit share one process and its cores (the ceilings are measured in the same run, the same way).");
        md.AppendLine($"- Machine load (load average 1/5/15 min, other work included): {_loadAtStart} at start, {LoadAverage()} at end");
        md.AppendLine($"- Duration: {(DateTimeOffset.UtcNow - _started).TotalSeconds:F0} s");
        foreach (var line in _setup)
        {
            md.AppendLine($"- Setup: {line}");
        }

        md.AppendLine();
        md.AppendLine("| scenario | metric | value | ceiling (same run) | ratio | storage requests / op | target | met |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var f in _figures)
        {
            var ceiling = f.Ceiling is null ? string.Empty : $"{f.Ceiling}: {Format(f.CeilingValue!.Value)}";
            var ratio = f.Ratio is { } r ? r.ToString("P0") : string.Empty;
            var met = f.TargetMet is null ? string.Empty : f.TargetMet.Value ? "yes" : "**no**";
            var notes = f.Notes is null ? string.Empty : $" ({f.Notes})";
            var requests = f.RequestsPerOperation is { } q ? q.ToString("F2") : string.Empty;
            md.AppendLine($"| {f.Scenario} | {f.Metric}{notes} | {Format(f.Value)} {f.Unit} | {ceiling} | {ratio} | {requests} | {f.Target} | {met} |");
        }

        var path = Path.Combine(directory, "benchmarks.md");
        var existing = File.Exists(path) ? File.ReadAllText(path) : string.Empty;
        File.WriteAllText(path, Merge(existing, profile, md.ToString()));
    }

    /// <summary>Keeps the other profile's section so quick runs do not erase the committed full-profile results.</summary>
    private static string Merge(string existing, string profile, string section)
    {
        const string Header = "# Benchmarks\n\nWritten by `./build.sh --target=Bench` (quick profile) and `./build.sh --target=Bench --profile=full`.\nEach scenario's ceiling is measured in the same run on the same machine, so ratios hold on a noisy shared machine.\nScenario definitions: `tests/benchmarks/Intune.Benchmarks/README.md`.\n\n";
        var sections = new SortedDictionary<string, string>(StringComparer.Ordinal);
        // Sections other than the profiles' (the written analysis) are kept as they are, after them.
        var notes = new List<string>();
        foreach (var part in existing.Split("\n## ", StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            if (!part.StartsWith("Profile ", StringComparison.Ordinal))
            {
                notes.Add("## " + part.TrimEnd() + "\n");
                continue;
            }

            var name = part.Split('`', 3) is { Length: 3 } pieces ? pieces[1] : null;
            if (name is not null)
            {
                sections[name] = "## " + part.TrimEnd() + "\n";
            }
        }

        sections[profile] = section;
        return Header + string.Join("\n", sections.OrderByDescending(s => s.Key == "full").Select(s => s.Value).Concat(notes));
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    private static string Format(double value) => value switch
    {
        double.NaN => "n/a",
        >= 100 => value.ToString("N0"),
        >= 10 => value.ToString("F1"),
        _ => value.ToString("F2"),
    };
}
