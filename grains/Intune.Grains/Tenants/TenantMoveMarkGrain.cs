using Azure;
using Azure.Storage.Blobs;
using Orleans.Concurrency;

namespace Intune.Grains.Tenants;

/// <summary>Where a unit keeps the marks of tenants moving away from it.</summary>
public interface ITenantMoveMarkStore
{
    Task<TenantMoveMark?> GetAsync(string tenantId, CancellationToken cancellationToken);
}

/// <summary>
/// The marks in the unit's own Blob container, written by <c>intune-ops tenant move</c> (which
/// holds every unit's credentials) and only read here.
/// </summary>
public sealed class BlobTenantMoveMarkStore(BlobContainerClient container) : ITenantMoveMarkStore
{
    public async Task<TenantMoveMark?> GetAsync(string tenantId, CancellationToken cancellationToken)
    {
        try
        {
            var content = await container.GetBlobClient(TenantMoveMark.BlobName(tenantId)).DownloadContentAsync(cancellationToken);
            return TenantMoveMark.FromJson(content.Value.Content.ToMemory().Span);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null; // no mark (or no container: no tenant ever left this unit)
        }
    }
}

/// <summary>Marks in memory: for grain unit tests only.</summary>
public sealed class InMemoryTenantMoveMarkStore : ITenantMoveMarkStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TenantMoveMark> _marks = new(StringComparer.Ordinal);

    public void Set(string tenantId, TenantMoveMark? mark)
    {
        if (mark is null)
        {
            _marks.TryRemove(tenantId, out _);
        }
        else
        {
            _marks[tenantId] = mark;
        }
    }

    public Task<TenantMoveMark?> GetAsync(string tenantId, CancellationToken cancellationToken) =>
        Task.FromResult(_marks.TryGetValue(tenantId, out var mark) ? mark : null);
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
