using System.CommandLine;

namespace Intune.CommandLine.Tests;

public sealed class DurationsTests
{
    public static TheoryData<string, TimeSpan> Valid => new()
    {
        { "30s", TimeSpan.FromSeconds(30) },
        { "5m", TimeSpan.FromMinutes(5) },
        { "1h", TimeSpan.FromHours(1) },
        { "1h30m", TimeSpan.FromMinutes(90) },
        { "2d12h", TimeSpan.FromHours(60) },
        { "1m30s", TimeSpan.FromSeconds(90) },
        { "250ms", TimeSpan.FromMilliseconds(250) },
        { "1.5h", TimeSpan.FromMinutes(90) },
        { "0", TimeSpan.Zero },
        { "0s", TimeSpan.Zero },
        { " 10s ", TimeSpan.FromSeconds(10) },
        { "00:05:00", TimeSpan.FromMinutes(5) },
        { "00:00:10", TimeSpan.FromSeconds(10) },
        { "1.02:00:00", TimeSpan.FromHours(26) },
        { "00:00:00.5", TimeSpan.FromMilliseconds(500) },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parse_AcceptedForms_GiveTheDuration(string text, TimeSpan expected)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(expected, value);
        Assert.Equal(expected, Durations.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("30")]
    [InlineData("5")]
    [InlineData("s")]
    [InlineData("10x")]
    [InlineData("1h30")]
    [InlineData("-5m")]
    [InlineData("-00:05:00")]
    [InlineData("5 m")]
    [InlineData("1..5h")]
    [InlineData("00:61:00")]
    [InlineData("99999999999d")]
    public void Parse_AnythingElse_IsRefusedWithTheAcceptedForms(string text)
    {
        Assert.False(Durations.TryParse(text, out _));
        var error = Assert.Throws<FormatException>(() => Durations.Parse(text));
        Assert.Contains("30s", error.Message);
        Assert.Contains("00:05:00", error.Message);
    }

    [Fact]
    public void Option_ShortForm_ParsesAndDefaultApplies()
    {
        var duration = Durations.Option("--duration", "How long.", TimeSpan.FromMinutes(1));
        var root = new RootCommand { duration };

        Assert.Equal(TimeSpan.FromSeconds(30), root.Parse(["--duration", "30s"]).GetValue(duration));
        Assert.Equal(TimeSpan.FromMinutes(1), root.Parse([]).GetValue(duration));
    }

    [Fact]
    public void Option_BadValue_IsAParseErrorNamingTheOptionAndTheForms()
    {
        var duration = Durations.OptionalOption("--every", "How often.");
        var root = new RootCommand { duration };

        var parse = root.Parse(["--every", "soon"]);

        var error = Assert.Single(parse.Errors);
        Assert.Contains("'soon' is not a duration", error.Message);
        Assert.Contains("--every", error.Message);
        Assert.Null(root.Parse([]).GetValue(duration));
    }

    [Fact]
    public async Task Option_Help_ShowsTheShortForm()
    {
        var root = new RootCommand { Durations.Option("--duration", "How long.", TimeSpan.Zero) };
        using var output = new StringWriter();

        var exit = await root.Parse(["--help"]).InvokeAsync(new InvocationConfiguration { Output = output });

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("--duration <30s|5m|1h30m|00:05:00>", output.ToString());
    }
}
