using System.Runtime.InteropServices;

namespace Intune.Benchmarks;

/// <summary>
/// Raises this process's open-file limit so one process can hold tens of thousands of device
/// connections: each connected device costs two descriptors here (the client and the server end
/// of one loopback connection). The soft limit goes up to the hard one; running as root (or with
/// CAP_SYS_RESOURCE) the hard limit goes up to the kernel's <c>fs/nr_open</c> too.
/// </summary>
internal static partial class OpenFiles
{
    private const int ResourceNoFile = 7; // RLIMIT_NOFILE on Linux

    /// <summary>What was done, for the report's header.</summary>
    public static string Raise(ulong wanted)
    {
        if (!OperatingSystem.IsLinux() || GetLimit(ResourceNoFile, out var limit) != 0)
        {
            return "open-file limit unchanged (not Linux)";
        }

        var before = limit.Current;
        var kernelMaximum = ulong.TryParse(File.ReadAllText("/proc/sys/fs/nr_open").Trim(), out var nrOpen) ? nrOpen : limit.Maximum;
        var raisedHard = new ResourceLimit { Current = Math.Min(wanted, kernelMaximum), Maximum = Math.Max(limit.Maximum, Math.Min(wanted, kernelMaximum)) };
        if (SetLimit(ResourceNoFile, ref raisedHard) == 0)
        {
            return $"open-file limit raised from {before:N0} to {raisedHard.Current:N0} with setrlimit (hard limit raised too)";
        }

        var withinHard = new ResourceLimit { Current = Math.Min(wanted, limit.Maximum), Maximum = limit.Maximum };
        return SetLimit(ResourceNoFile, ref withinHard) == 0
            ? $"open-file limit raised from {before:N0} to {withinHard.Current:N0} with setrlimit (the hard limit; raising it needs root)"
            : $"open-file limit left at {before:N0} (setrlimit refused, errno {Marshal.GetLastPInvokeError()})";
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetLimit(int resource, out ResourceLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetLimit(int resource, ref ResourceLimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
