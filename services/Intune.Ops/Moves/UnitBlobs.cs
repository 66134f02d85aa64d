using Azure;
using Azure.Storage.Blobs;
using Intune.ClusterConfig;
using Intune.Grains.Tenants;

namespace Intune.Ops.Moves;

/// <summary>
/// The blobs a move writes in the units' own storage (the operators hold every unit's
/// credentials; the units read them): the source's move mark for the tenant, and the source
/// CA's public certificate in the target's trusted set, in the containers the storage layout names.
/// </summary>
internal static class UnitBlobs
{

    public static async Task SetMarkAsync(ScaleUnitOptions unit, string tenantId, TenantMoveMark mark, CancellationToken cancellationToken)
    {
        var container = Marks(unit);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await container.GetBlobClient(TenantMoveMark.BlobName(tenantId)).UploadAsync(BinaryData.FromBytes(mark.ToJson()), overwrite: true, cancellationToken);
    }

    public static async Task ClearMarkAsync(ScaleUnitOptions unit, string tenantId, CancellationToken cancellationToken)
    {
        try
        {
            await Marks(unit).GetBlobClient(TenantMoveMark.BlobName(tenantId)).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No container: the unit never had a tenant leave it.
        }
    }

    /// <summary>The unit's CA certificate, public part only (the key stays in the unit's storage).</summary>
    public static async Task<byte[]> AuthorityCertificateAsync(ScaleUnitOptions unit, CancellationToken cancellationToken)
    {
        try
        {
            var pfx = await Authority(unit).GetBlobClient(ScaleUnitStorageLayout.AuthorityBlob).DownloadContentAsync(cancellationToken);
            return SealedCertificateAuthority.PublicCertificate(pfx.Value.Content.ToArray());
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new OpsException($"Scale unit {unit.Id} has no certificate authority yet; start the unit once before moving tenants to or from it.");
        }
    }

    /// <summary>Lets <paramref name="target"/> accept device certificates issued by <paramref name="sourceId"/>'s CA.</summary>
    public static async Task TrustAsync(ScaleUnitOptions target, string sourceId, byte[] sourceAuthority, CancellationToken cancellationToken)
    {
        var container = Authority(target);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await container.GetBlobClient($"{ScaleUnitStorageLayout.TrustedAuthorityPrefix}{sourceId}.cer").UploadAsync(BinaryData.FromBytes(sourceAuthority), overwrite: true, cancellationToken);
    }

    private static BlobContainerClient Marks(ScaleUnitOptions unit)
    {
        var storage = new ScaleUnitStorage(unit);
        return storage.Container(storage.Layout.MoveMarks);
    }

    private static BlobContainerClient Authority(ScaleUnitOptions unit)
    {
        var storage = new ScaleUnitStorage(unit);
        return storage.Container(storage.Layout.CertificateAuthority);
    }
}
