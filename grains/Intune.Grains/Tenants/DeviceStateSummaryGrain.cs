using Intune.Grains.Policies;

namespace Intune.Grains.Tenants;

[GenerateSerializer, Alias("intune.DeviceStateSummaryState")]
public sealed class DeviceStateSummaryState
{
    [Id(0)] public int[] Compliance { get; set; } = new int[PolicyDeviceStates.Count];
    [Id(1)] public int[] Configuration { get; set; } = new int[PolicyDeviceStates.Count];
}

/// <summary>
/// Tenant-wide counts of devices per state, moved by the devices' own transitions. Written at
/// most every few seconds: a burst of thousands of transitions becomes one write.
/// </summary>
internal sealed class DeviceStateSummaryGrain(
    [PersistentState("deviceStateSummary", StorageNames.Grains)] IPersistentState<DeviceStateSummaryState> summary) : Grain, IDeviceStateSummaryGrain
{
    private static readonly TimeSpan WriteInterval = TimeSpan.FromSeconds(5);
    private IGrainTimer? _write;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Counters stored before a state was added are shorter: grow them (new states start at zero).
        var compliance = summary.State.Compliance;
        var configuration = summary.State.Configuration;
        Array.Resize(ref compliance, Math.Max(compliance.Length, PolicyDeviceStates.Count));
        Array.Resize(ref configuration, Math.Max(configuration.Length, PolicyDeviceStates.Count));
        summary.State.Compliance = compliance;
        summary.State.Configuration = configuration;
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_write is not null)
        {
            await summary.WriteStateAsync(cancellationToken);
        }
    }

    public Task TransitionAsync(PolicyKind kind, PolicyDeviceState? from, PolicyDeviceState? to)
    {
        var counts = kind == PolicyKind.Compliance ? summary.State.Compliance : summary.State.Configuration;
        if (from is { } f)
        {
            counts[(int)f]--;
        }

        if (to is { } t)
        {
            counts[(int)t]++;
        }

        _write ??= this.RegisterGrainTimer(
            async _ =>
            {
                // Disposing this one-shot timer cancels its token, so the write does not take it.
                _write?.Dispose();
                _write = null;
                await summary.WriteStateAsync(CancellationToken.None);
            },
            WriteInterval,
            Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public Task<DeviceStateSummary> GetAsync(PolicyKind kind)
    {
        var c = kind == PolicyKind.Compliance ? summary.State.Compliance : summary.State.Configuration;
        return Task.FromResult(new DeviceStateSummary(
            c[(int)PolicyDeviceState.Unknown],
            c[(int)PolicyDeviceState.NotApplicable],
            c[(int)PolicyDeviceState.Compliant],
            c[(int)PolicyDeviceState.InGracePeriod],
            c[(int)PolicyDeviceState.NonCompliant],
            c[(int)PolicyDeviceState.Error],
            c[(int)PolicyDeviceState.Conflict])
        {
            RemediatedDeviceCount = c[(int)PolicyDeviceState.Remediated],
        });
    }
}
