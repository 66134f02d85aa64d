using Orleans.Concurrency;

namespace Intune.Grains.Devices;

/// <summary>Reads the hardware index for gateways, which have no storage of the unit's own; keeps nothing.</summary>
[StatelessWorker]
[Reentrant]
internal sealed class HardwareIndexGrain(IHardwareIndexStore index) : Grain, IHardwareIndexGrain
{
    public Task<string?> FindDeviceIdAsync(HardwareKind kind, string value) =>
        index.FindAsync(this.GetPrimaryKeyString(), HardwareIndex.Key(kind, value));
}
