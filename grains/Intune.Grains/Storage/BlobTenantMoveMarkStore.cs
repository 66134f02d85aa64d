using Azure;
using Azure.Storage.Blobs;

namespace Intune.Grains.Tenants;

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
