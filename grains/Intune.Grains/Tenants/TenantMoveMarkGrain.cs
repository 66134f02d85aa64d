using Orleans.Concurrency;

namespace Intune.Grains.Tenants;

/// <summary>Where a unit keeps the marks of tenants moving away from it.</summary>
public interface ITenantMoveMarkStore
{
    Task<TenantMoveMark?> GetAsync(string tenantId, CancellationToken cancellationToken);
}

/// <summary>
/// Reads a tenant's move mark for gateways, which hold no storage credentials. Stateless: the
/// gateways cache the answer for a few seconds, so this is not on every check-in.
/// </summary>
[StatelessWorker]
internal sealed class TenantMoveMarkGrain(ITenantMoveMarkStore store) : Grain, ITenantMoveMarkGrain
{
    public Task<TenantMoveMark?> GetAsync() => store.GetAsync(this.GetPrimaryKeyString(), CancellationToken.None);
}
