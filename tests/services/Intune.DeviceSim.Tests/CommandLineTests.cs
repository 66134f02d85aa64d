using System.Text.Json.Nodes;
using Intune.CommandLine;
using Intune.DeviceSim;

namespace Intune.DeviceSim.Tests;

/// <summary>intune-devicesim's command line in-process, with a simulation that records what it was asked.</summary>
public sealed class CommandLineTests
{
    private static readonly string[] Required = ["run", "--tenant", "6f1d2c3b-0a4e-4c6b-9e1f-2a7d5b8c9e01", "--enrollment-token", "t.secret"];

    [Theory]
    [InlineData("--help")]
    [InlineData("run", "--help")]
    public async Task Help_EveryVerb_PrintsUsageTheDurationFormAndTheExitCodes(params string[] args)
    {
        var (exit, output, error, asked) = await RunAsync(args);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("Usage:", output);
        Assert.Equal(string.Empty, error);
        Assert.Null(asked);
        if (args[0] == "run")
        {
            Assert.Contains("--duration <30s|5m|1h30m|00:05:00>", output);
            Assert.Contains("--check-in-interval <30s|5m|1h30m|00:05:00>", output);
        }
        else
        {
            Assert.Contains(ExitCodes.Help, output);
        }
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h30m", 5400)]
    [InlineData("00:05:00", 300)]
    public async Task Run_DurationInEitherForm_ReachesTheSimulation(string duration, int seconds)
    {
        var (exit, _, error, asked) = await RunAsync([.. Required, "--duration", duration, "--check-in-interval", "10s", "--devices", "3"]);

        Assert.True(exit == ExitCodes.Ok, error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), asked!.Duration);
        Assert.Equal(TimeSpan.FromSeconds(10), asked.CheckInInterval);
        Assert.Equal(3, asked.Devices);
    }

    [Fact]
    public async Task Run_Defaults_EnrollOnceAndFollowTheServiceSchedule()
    {
        var (exit, _, _, asked) = await RunAsync(Required);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(TimeSpan.Zero, asked!.Duration);
        Assert.Null(asked.CheckInInterval);
    }

    [Theory]
    [InlineData("--duration", "soon", "'soon' is not a duration")]
    [InlineData("--duration", "-5m", "'-5m' is not a duration")]
    [InlineData("--noncompliant", "1.5", "--noncompliant must be between 0 and 1")]
    [InlineData("--platforms", "windows,beos", "Unknown platform 'beos'")]
    [InlineData("--schedule-scale", "0", "--schedule-scale must be above 0")]
    public async Task Run_BadValue_IsAUsageErrorAndSimulatesNothing(string option, string value, string expected)
    {
        var (exit, _, error, asked) = await RunAsync([.. Required, option, value]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains(expected, error);
        Assert.Null(asked);
    }

    [Fact]
    public async Task Run_Json_PrintsOnlyTheSummaryOnStandardOutput()
    {
        var (exit, output, _, _) = await RunAsync([.. Required, "--devices", "2", "--json"]);

        Assert.Equal(ExitCodes.Ok, exit);
        var summary = JsonNode.Parse(output)!;
        Assert.Equal(2, (int)summary["enrolled"]!);
        Assert.Equal(0, (int)summary["enrollRefused"]!);
    }

    [Theory]
    [InlineData(4, 4, 0, 0, 0, ExitCodes.Ok)]
    [InlineData(4, 1, 3, 3, 0, ExitCodes.Refused)]
    [InlineData(4, 0, 4, 0, 0, ExitCodes.Unavailable)]
    [InlineData(4, 3, 1, 0, 0, ExitCodes.Failed)]
    [InlineData(4, 4, 0, 0, 2, ExitCodes.Failed)]
    public void ExitCodeOf_Summary_SaysWhatFailed(int requested, int enrolled, int failures, int refused, int checkInFailures, int expected)
    {
        Assert.Equal(expected, DeviceSimCli.ExitCodeOf(Summary(requested, enrolled, failures, refused, checkInFailures)));
    }

    private static async Task<(int Exit, string Output, string Error, SimulationOptions? Asked)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        SimulationOptions? asked = null;
        var exit = await DeviceSimCli.RunAsync(args, output, error, (options, _) =>
        {
            asked = options;
            for (var i = 1; i <= options.Devices; i++)
            {
                options.EnrollmentProgress?.Invoke(i);
            }

            return Task.FromResult(Summary(options.Devices, options.Devices, 0, 0, 0));
        });
        return (exit, output.ToString(), error.ToString(), asked);
    }

    private static SimulationSummary Summary(int requested, int enrolled, int failures, int refused, int checkInFailures) =>
        new(requested, enrolled, failures, enrolled, 0, checkInFailures, new Dictionary<string, int>(), new Dictionary<string, int>(), [], 0.1, [], 0, new Dictionary<string, int>(), 0, refused);
}
