using Intune.Grains.Durability;

namespace Intune.Grains.Devices;

[GenerateSerializer, Alias("intune.HardwareIndexState")]
public sealed class HardwareIndexState
{
    [Id(0)] public string? DeviceId { get; set; }
}

/// <summary>One serial number or MAC address → device id (network access control by hardware identity).</summary>
internal sealed class HardwareIndexGrain(
    [PersistentState("hardwareIndex", StorageNames.Grains)] IPersistentState<HardwareIndexState> entry) : Grain, IHardwareIndexGrain
{
    public async Task SetAsync(string deviceId)
    {
        if (entry.State.DeviceId != deviceId)
        {
            entry.State.DeviceId = deviceId;
            await entry.WriteOrRollBackAsync(GrainContext);
        }
    }

    public async Task RemoveAsync(string deviceId)
    {
        if (entry.State.DeviceId == deviceId)
        {
            await entry.ClearOrRollBackAsync(GrainContext);
        }
    }

    public Task<string?> GetDeviceIdAsync() => Task.FromResult(entry.State.DeviceId);
}
