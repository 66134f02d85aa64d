using Intune.Grains.Devices;
using Orleans.Concurrency;

namespace Intune.Grains.Policies;

/// <summary>Delivers a policy change to one slice of devices, all of the slice in parallel.</summary>
[StatelessWorker(MaxLocalWorkers)]
internal sealed class PolicyFanOutGrain : Grain, IPolicyFanOutGrain
{
    // The work is waiting on Device grains and storage, not CPU, so more than one per core.
    internal const int MaxLocalWorkers = 8;

    public Task DeliverAsync(string tenantId, PolicyDelivery delivery, IReadOnlyList<string> deviceIds) =>
        Task.WhenAll(deviceIds.Select(id => GrainFactory.GetGrain<IDeviceComplianceGrain>(GrainKeys.Scoped(tenantId, id)).ApplyPolicyAsync(delivery)));
}
