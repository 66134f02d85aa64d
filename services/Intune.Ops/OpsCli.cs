using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Intune.Routing;
using Microsoft.Extensions.Options;

namespace Intune.Ops;

/// <summary>
/// <c>intune-ops</c>: the operators' CLI of ARCHITECTURE.md §6. Every command works on the
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

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, OpsEnvironment? environment, CancellationToken cancellationToken = default)
    {
        var topology = new Option<string>("--topology")
        {
            Description = "The topology file (scale units + tenant directory).",
            Recursive = true,
            DefaultValueFactory = _ => "cluster-config/local/topology.json",
        };
        var root = new RootCommand("Operate Intune.Cluster scale units and tenants.") { topology };

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
            catch (Exception ex) when (ex is OpsException or ArgumentException or TenantDirectoryConflictException or ScaleUnitUnavailableException
                or TenantNotRoutableException or OptionsValidationException or FileNotFoundException)
            {
                var message = ex is OptionsValidationException validation ? string.Join(Environment.NewLine, validation.Failures) : ex.Message;
                await error.WriteLineAsync($"error: {message}");
                return 1;
            }
            finally
            {
                if (loaded is not null)
                {
                    await loaded.DisposeAsync();
                }
            }
        };

        root.Subcommands.Add(ScaleUnitCommands.Build(run));
        root.Subcommands.Add(TenantCommands.Build(run));
        root.Subcommands.Add(TokenCommand.Build(run));
        Array.ForEach([.. Backups.BackupCommands.Build(run)], root.Subcommands.Add);
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    internal static Option<bool> JsonOption() => new("--json") { Description = "Machine-readable output." };
}

/// <summary>An error meant for the operator: printed as is, exit code 1.</summary>
public sealed class OpsException(string message) : Exception(message);

/// <summary>Where a command writes: text for people, or one JSON document with <c>--json</c>.</summary>
public sealed class CommandOutput(TextWriter output, TextWriter error, bool json)
{
    public bool Json => json;

    public TextWriter Out => output;

    public TextWriter Error => error;

    public Task WriteJsonAsync<T>(T value) => output.WriteLineAsync(JsonSerializer.Serialize(value, OpsCli.Json));

    public Task LineAsync(string line) => output.WriteLineAsync(line);
}
