using Intune.Grains.Devices;
using Orleans.Concurrency;

namespace Intune.Grains.Policies;

/// <summary>Delivers a policy change to one slice of devices, all of the slice in parallel.</summary>
[StatelessWorker]
internal sealed class PolicyFanOutGrain : Grain, IPolicyFanOutGrain
{
    public Task DeliverAsync(string tenantId, PolicyDelivery delivery, IReadOnlyList<string> deviceIds) =>
        Task.WhenAll(deviceIds.Select(id => GrainFactory.GetGrain<IDeviceComplianceGrain>(GrainKeys.Scoped(tenantId, id)).ApplyPolicyAsync(delivery)));
}
