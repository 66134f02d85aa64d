using System.CommandLine;
using Intune.CommandLine;
using Intune.Routing;

namespace Intune.Ops.Tests;

/// <summary>intune-ops' command line on its own: no unit is started, nothing is loaded.</summary>
public sealed class CommandLineTests
{
    public static TheoryData<string> Verbs() => new(VerbPaths());

    [Fact]
    public void Verbs_CoverEveryCommand()
    {
        var verbs = VerbPaths();

        Assert.Subset(
            new HashSet<string> { "scale-unit", "scale-unit list", "scale-unit status", "scale-unit up", "scale-unit down", "tenant", "tenant create", "tenant list", "tenant show", "tenant move", "token", "backup", "backup create", "backup list", "backup show", "backup verify", "backup delete", "restore" },
            verbs.ToHashSet());
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Help_EveryVerb_PrintsUsageAndSucceedsWithoutLoadingTheTopology(string verb)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await OpsCli.RunAsync([.. verb.Split(' '), "--help"], output, error, environment: null);

        var command = verb.Split(' ').Aggregate((Command)OpsCli.BuildRoot(TextWriter.Null, TextWriter.Null, null, CancellationToken.None), (parent, name) => parent.Subcommands.Single(c => c.Name == name));
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("Usage:", output.ToString());
        Assert.Contains($" {verb} ", output.ToString());
        Assert.Contains(command.Description!, output.ToString());
        Assert.Equal(string.Empty, error.ToString());
    }

    [Fact]
    public async Task Help_Root_DocumentsTheExitCodes()
    {
        using var output = new StringWriter();

        var exit = await OpsCli.RunAsync(["--help"], output, TextWriter.Null, environment: null);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains(ExitCodes.Help, output.ToString());
    }

    [Fact]
    public async Task UnknownOption_IsAUsageError()
    {
        using var error = new StringWriter();

        var exit = await OpsCli.RunAsync(["tenant", "list", "--colour"], TextWriter.Null, error, environment: null);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--colour", error.ToString());
    }

    public static TheoryData<Exception, int> OperatorFailures => new()
    {
        { new TenantNotRoutableException("no such tenant"), ExitCodes.NotFound },
        { new TenantDirectoryConflictException("changed meanwhile"), ExitCodes.Refused },
        { new ScaleUnitUnavailableException("na-01 is down"), ExitCodes.Unavailable },
        { new FileNotFoundException("topology.json"), ExitCodes.Usage },
        { new ArgumentException("Scale unit 'apac-09' is not in the topology"), ExitCodes.Usage },
        { new OpsException("already there"), ExitCodes.Refused },
        { new OpsException("gone", ExitCodes.NotFound), ExitCodes.NotFound },
    };

    [Theory]
    [MemberData(nameof(OperatorFailures))]
    public void ExitCodeOf_OperatorFailures_SayWhatFailed(Exception exception, int expected)
    {
        Assert.Equal(expected, OpsCli.ExitCodeOf(exception));
    }

    [Fact]
    public void ExitCodeOf_StorageUnreachableOrABug_IsUnavailableOrLeftToCrash()
    {
        Assert.Equal(ExitCodes.Unavailable, OpsCli.ExitCodeOf(new Azure.RequestFailedException("connection refused")));
        Assert.Null(OpsCli.ExitCodeOf(new NullReferenceException()));
    }

    private static List<string> VerbPaths() =>
        Paths(OpsCli.BuildRoot(TextWriter.Null, TextWriter.Null, environment: null, CancellationToken.None), []).Select(path => string.Join(' ', path)).ToList();

    private static IEnumerable<string[]> Paths(Command command, string[] prefix)
    {
        foreach (var sub in command.Subcommands)
        {
            string[] path = [.. prefix, sub.Name];
            yield return path;
            foreach (var deeper in Paths(sub, path))
            {
                yield return deeper;
            }
        }
    }
}
