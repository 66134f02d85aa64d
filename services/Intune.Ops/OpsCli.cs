using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Intune.CommandLine;
using Intune.Routing;
using Microsoft.Extensions.Options;

namespace Intune.Ops;

/// <summary>
/// <c>intune-ops</c>: the operators' CLI (docs/architecture.md §6). Every command works on the
/// topology file (all units plus the tenant directory); tests pass an
/// <see cref="OpsEnvironment"/> of their own and read what the command printed.
/// </summary>
public static class OpsCli
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// The verbs, registered here and nowhere else: each builds its command (with its own
    /// <c>--help</c>) around the runner that loads the environment and maps failures to exit codes.
    /// </summary>
    private static readonly Func<Func<ParseResult, Func<OpsEnvironment, CommandOutput, CancellationToken, Task<int>>, Task<int>>, Command>[] Verbs =
    [
        ScaleUnitCommands.Build,
        TenantCommands.Build,
        TokenCommand.Build,
        Backups.BackupCommands.BuildBackup,
        Backups.BackupCommands.BuildRestore,
    ];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, OpsEnvironment? environment, CancellationToken cancellationToken = default)
    {
        var root = BuildRoot(output, error, environment, cancellationToken);
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    internal static RootCommand BuildRoot(TextWriter output, TextWriter error, OpsEnvironment? environment, CancellationToken cancellationToken)
    {
        var topology = new Option<string>("--topology")
        {
            Description = "The topology file (scale units + tenant directory).",
            Recursive = true,
            DefaultValueFactory = _ => "cluster-config/local/topology.json",
        };
        var root = new RootCommand($"Operate Intune.Cluster scale units and tenants.{Environment.NewLine}{ExitCodes.Help}") { topology };

        Func<ParseResult, Func<OpsEnvironment, CommandOutput, CancellationToken, Task<int>>, Task<int>> run = async (parse, handler) =>
        {
            var json = parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == "--json") is Option<bool> jsonOption && parse.GetValue(jsonOption);
            var console = new CommandOutput(output, error, json);
            OpsEnvironment? loaded = null;
            try
            {
                var env = environment ?? (loaded = OpsEnvironment.Load(parse.GetValue(topology)!));
                return await handler(env, console, cancellationToken);
            }
            catch (Exception ex) when (ExitCodeOf(ex) is { } code)
            {
                var message = ex is OptionsValidationException validation ? string.Join(Environment.NewLine, validation.Failures) : ex.Message;
                await error.WriteLineAsync($"error: {message}");
                return code;
            }
            finally
            {
                if (loaded is not null)
                {
                    await loaded.DisposeAsync();
                }
            }
        };

        foreach (var verb in Verbs)
        {
            root.Subcommands.Add(verb(run));
        }

        return root;
    }

    /// <summary>The exit code of a failure meant for the operator; null for a bug, which keeps its stack trace.</summary>
    internal static int? ExitCodeOf(Exception exception) => exception switch
    {
        OpsException ops => ops.ExitCode,
        TenantNotRoutableException => ExitCodes.NotFound,
        TenantDirectoryConflictException => ExitCodes.Refused,
        ScaleUnitUnavailableException => ExitCodes.Unavailable,
        RequestFailedException { Status: 0 } => ExitCodes.Unavailable,
        AggregateException aggregate when aggregate.InnerExceptions.All(e => e is RequestFailedException { Status: 0 }) => ExitCodes.Unavailable,
        OptionsValidationException or FileNotFoundException or ArgumentException => ExitCodes.Usage,
        _ => null,
    };

    internal static Option<bool> JsonOption() => new("--json") { Description = "Machine-readable output." };
}

/// <summary>An error meant for the operator: printed as is, with the exit code that says what kind it is.</summary>
public sealed class OpsException(string message, int exitCode = ExitCodes.Refused) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>Where a command writes: text for people, or one JSON document with <c>--json</c>.</summary>
public sealed class CommandOutput(TextWriter output, TextWriter error, bool json)
{
    public bool Json => json;

    public TextWriter Out => output;

    public TextWriter Error => error;

    /// <summary>Where progress bars go: standard error under <c>--json</c>, so standard output stays one document.</summary>
    public TextWriter Progress => json ? error : output;

    public Task WriteJsonAsync<T>(T value) => output.WriteLineAsync(JsonSerializer.Serialize(value, OpsCli.Json));

    public Task LineAsync(string line) => output.WriteLineAsync(line);
}
