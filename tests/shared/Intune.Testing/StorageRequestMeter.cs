using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Intune.ServiceDefaults;

namespace Intune.Testing;

/// <summary>
/// Adds up the scale unit's storage requests as the counting policy on its clients reports them
/// (<see cref="StorageRequestCounter"/>), leaving out the silo's background traffic (membership
/// heartbeats and reminder polls), which does not belong to any measured operation. Shared by the
/// benchmarks (the count printed beside each figure) and the tests that hold an operation to its
/// storage-request budget.
/// </summary>
public static class StorageRequestMeter
{
    private static readonly MeterListener Listener = Start();
    private static readonly ConcurrentDictionary<string, long> ByStoreAndOperation = new(StringComparer.Ordinal);
    private static long _total;

    public static long Total
    {
        get
        {
            _ = Listener;
            return Interlocked.Read(ref _total);
        }
    }

    /// <summary>The counts so far by <c>store/operation</c> (e.g. <c>grainstate/write</c>), to subtract two snapshots and say what an operation did.</summary>
    public static IReadOnlyDictionary<string, long> Snapshot()
    {
        _ = Listener;
        return new Dictionary<string, long>(ByStoreAndOperation, StringComparer.Ordinal);
    }

    /// <summary>What happened between two snapshots, as <c>store/operation ×n</c> pairs, for test output and benchmark notes.</summary>
    public static string Describe(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after) =>
        string.Join(", ", after
            .Select(a => (a.Key, Count: a.Value - before.GetValueOrDefault(a.Key)))
            .Where(a => a.Count > 0)
            .OrderBy(a => a.Key, StringComparer.Ordinal)
            .Select(a => $"{a.Key} ×{a.Count}"));

    private static MeterListener Start()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == StorageRequestCounter.InstrumentName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? store = null, operation = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "store")
                {
                    store = tag.Value as string;
                }
                else if (tag.Key == "operation")
                {
                    operation = tag.Value as string;
                }
            }

            // Membership heartbeats and the reminder service's polls are background traffic; a
            // reminder registered or removed is the operation's own cost and is counted.
            if (store == "membership" || (store == "reminders" && operation is "read" or "query"))
            {
                return;
            }

            Interlocked.Add(ref _total, value);
            ByStoreAndOperation.AddOrUpdate($"{store}/{operation}", value, (_, n) => n + value);
        });
        listener.Start();
        return listener;
    }
}
