using Intune.AdminGateway.Audit;
using Intune.Grains;
using Intune.Grains.Devices;
using Intune.Grains.Errors;
using Intune.Grains.Policies;
using Intune.Grains.Tenants;
using Intune.Routing;

namespace Intune.AdminGateway.Resources.RetireRequests;

/// <summary>
/// The retire list that compliance "retire"/"wipe" actions fill; an admin confirms or dismisses
/// each entry. REST and gRPC both call this.
/// </summary>
public sealed class RetireRequestService(IScaleUnitRouter router)
{
    public async Task<IReadOnlyList<RetireRequest>> ListAsync(string tenantId) => await (await TenantAsync(tenantId)).ListRetireRequestsAsync();

    /// <summary>
    /// An admin's decision on a pending entry. Confirming issues the device action the
    /// noncompliance action asked for — retire, or wipe — through the same Device grain path as an
    /// admin's own retire/wipe (queued, nudged, delivered at check-in, certificate revoked when the
    /// device acknowledges). Orchestrated here, not in the Tenant grain, because a device that is
    /// reporting a new request to the tenant at the same moment would otherwise wait on it.
    /// </summary>
    /// <exception cref="NotFoundException">No pending request exists for the device.</exception>
    public async Task DecideAsync(string tenantId, string deviceId, bool confirm, AuditRecorder audit)
    {
        var tenant = await TenantAsync(tenantId);
        var pending = (await tenant.ListRetireRequestsAsync()).FirstOrDefault(r => r.DeviceId == deviceId && r.State == RetireRequestState.Pending);
        if (pending is null || !await tenant.DecideRetireAsync(deviceId, confirm))
        {
            throw new NotFoundException($"No pending retire request for device '{deviceId}'.");
        }

        audit.AddResource("ComplianceRetireRequest", deviceId, deviceId);
        if (confirm && Guid.TryParse(deviceId, out _))
        {
            var kind = pending.Action == ComplianceActionType.Wipe ? DeviceActionKind.Wipe : DeviceActionKind.Retire;
            await (await router.ForTenantAsync(tenantId)).GetGrain<IDeviceGrain>(GrainKeys.Scoped(tenantId, deviceId)).RequestActionAsync(new DeviceActionRequest(kind));
        }
    }

    private async Task<ITenantComplianceGrain> TenantAsync(string tenantId) =>
        (await router.ForTenantAsync(tenantId)).GetGrain<ITenantComplianceGrain>(tenantId);
}
