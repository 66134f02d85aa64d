namespace Intune.CommandLine.Tests;

public sealed class ConsoleProgressTests
{
    [Fact]
    public async Task RunAsync_RedirectedOutput_WritesEachQuarterOfEveryStepOnceAndReturnsTheWorkResult()
    {
        var output = new StringWriter();

        var result = await ConsoleProgress.RunAsync(output, async progress =>
        {
            progress.Report("Enrolling", 10, 40);
            progress.Report("Enrolling", 11, 40);
            await Parallel.ForEachAsync(Enumerable.Range(12, 29), async (i, _) =>
            {
                await Task.Yield();
                progress.Report("Enrolling", i, 40);
            });
            await progress.ReportAsync("Export", 0, 0);
            progress.Report("Verify", 0, 3);
            progress.Report("Verify", 3, 3);
            return 42;
        });

        Assert.Equal(42, result);
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["Enrolling: 25%", "Enrolling: 50%", "Enrolling: 75%", "Enrolling: 100%"], lines.Where(l => l.StartsWith("Enrolling")));
        Assert.Equal(["Export: 100%", "Verify: 0%", "Verify: 100%"], lines.Where(l => !l.StartsWith("Enrolling")));
        Assert.DoesNotContain("\u001b[", output.ToString());
    }
}
