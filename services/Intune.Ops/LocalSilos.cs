using System.Diagnostics;

namespace Intune.Ops;

/// <summary>
/// The silo processes <c>scale-unit up</c> started on this machine: one pid file per silo
/// under <c>.data/units/&lt;unit&gt;/</c>, so <c>down</c> (another invocation) can stop them.
/// </summary>
internal static class LocalSilos
{
    public static string Directory(string root, string unitId) => Path.Combine(root, ".data", "units", unitId);

    public static string LogFile(string root, string unitId, int index) => Path.Combine(Directory(root, unitId), $"silo-{index}.log");

    /// <summary>Silos whose process is still alive, by index; stale pid files are removed.</summary>
    public static SortedDictionary<int, int> Read(string root, string unitId)
    {
        var result = new SortedDictionary<int, int>();
        var dir = Directory(root, unitId);
        if (!System.IO.Directory.Exists(dir))
        {
            return result;
        }

        foreach (var file in System.IO.Directory.GetFiles(dir, "silo-*.pid"))
        {
            var index = int.Parse(Path.GetFileNameWithoutExtension(file)["silo-".Length..]);
            var pid = int.Parse(File.ReadAllText(file).Trim());
            if (IsAlive(pid))
            {
                result[index] = pid;
            }
            else
            {
                File.Delete(file);
            }
        }

        return result;
    }

    public static void Write(string root, string unitId, int index, int pid)
    {
        System.IO.Directory.CreateDirectory(Directory(root, unitId));
        File.WriteAllText(Path.Combine(Directory(root, unitId), $"silo-{index}.pid"), pid.ToString());
    }

    public static void Forget(string root, string unitId, int index) => File.Delete(Path.Combine(Directory(root, unitId), $"silo-{index}.pid"));

    /// <summary>Copies the silo's output to its log file so a full pipe never stalls it.</summary>
    public static void Drain(Process process, string log)
    {
        var writer = new StreamWriter(log, append: true) { AutoFlush = true };
        var gate = new object();
        process.OutputDataReceived += (_, e) => { lock (gate) { if (e.Data is not null) { writer.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { lock (gate) { if (e.Data is not null) { writer.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>SIGTERM first, so the silo leaves the membership table gracefully; SIGKILL after 30 s.</summary>
    public static async Task StopAsync(int pid, CancellationToken cancellationToken)
    {
        Process process;
        try
        {
            process = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return;
        }

        using (process)
        {
            using (var term = Process.Start("kill", ["-TERM", pid.ToString()]))
            {
                await term.WaitForExitAsync(cancellationToken);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
