namespace Intune.CommandLine.Tests;

public sealed class ConsoleProgressTests
{
    private static readonly TimeSpan Backstop = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RunAsync_RedirectedOutput_WritesStepPercentagesAsPlainLinesAndReturnsTheWorkResult()
    {
        var text = new StringWriter();
        using var output = TextWriter.Synchronized(text);

        var result = await ConsoleProgress.RunAsync(output, async progress =>
        {
            progress.Report("Enrolling", 10, 40);
            // Redirected output gets Spectre's fallback: a plain line per milestone, written on its refresh tick.
            while (!Written(output, text, "Enrolling: 25%"))
            {
                await Task.Delay(20);
            }

            await Parallel.ForEachAsync(Enumerable.Range(11, 30), async (i, _) =>
            {
                await Task.Yield();
                progress.Report("Enrolling", i, 40);
            });
            await progress.ReportAsync("Export", 0, 0);
            return 42;
        }).WaitAsync(Backstop);

        Assert.Equal(42, result);
        Assert.DoesNotContain("\u001b[", text.ToString());
    }

    private static bool Written(TextWriter output, StringWriter text, string expected)
    {
        lock (output)
        {
            return text.ToString().Contains(expected);
        }
    }
}
