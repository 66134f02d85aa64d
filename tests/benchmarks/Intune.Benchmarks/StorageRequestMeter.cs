using System.Diagnostics.Metrics;
using Intune.ServiceDefaults;

namespace Intune.Benchmarks;

/// <summary>
/// Adds up the scale unit's storage requests as the counting policy on its clients reports them
/// (<see cref="StorageRequestCounter"/>), leaving out the silo's background traffic (membership
/// heartbeats and reminder polls), which does not belong to any measured operation.
/// </summary>
public static class StorageRequestMeter
{
    private static readonly MeterListener Listener = Start();
    private static long _total;

    public static long Total
    {
        get
        {
            _ = Listener;
            return Interlocked.Read(ref _total);
        }
    }

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
            foreach (var tag in tags)
            {
                if (tag.Key == "store" && tag.Value is "membership" or "reminders")
                {
                    return;
                }
            }

            Interlocked.Add(ref _total, value);
        });
        listener.Start();
        return listener;
    }
}
