using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Intune.ClusterConfig;

namespace Intune.Grains.Certificates;

/// <summary>
/// Keeps the CA in the scale unit's own blob storage. Creation is conditional (If-None-Match: *)
/// so two silos starting together end up with one CA.
/// </summary>
public sealed class BlobCertificateAuthorityStore(BlobContainerClient container) : ICertificateAuthorityStore
{
    private const string AuthorityBlob = ScaleUnitStorageLayout.AuthorityBlob;

    /// <summary>Where a tenant move puts the source unit's CA certificate: <c>trusted/&lt;unit&gt;.cer</c>.</summary>
    public const string TrustedPrefix = ScaleUnitStorageLayout.TrustedAuthorityPrefix;

    public async Task<byte[]?> LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var result = await container.GetBlobClient(AuthorityBlob).DownloadContentAsync(cancellationToken);
            return result.Value.Content.ToArray();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task<bool> TryCreateAsync(byte[] pkcs12, CancellationToken cancellationToken)
    {
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        try
        {
            await container.GetBlobClient(AuthorityBlob).UploadAsync(
                BinaryData.FromBytes(pkcs12),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<TrustedAuthority>> LoadTrustedAsync(CancellationToken cancellationToken)
    {
        var trusted = new List<TrustedAuthority>();
        try
        {
            await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = TrustedPrefix }, cancellationToken))
            {
                var unit = Path.GetFileNameWithoutExtension(blob.Name[TrustedPrefix.Length..]);
                var content = await container.GetBlobClient(blob.Name).DownloadContentAsync(cancellationToken);
                trusted.Add(new TrustedAuthority(unit, content.Value.Content.ToArray()));
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No CA container yet: nothing is trusted beyond the unit's own CA.
        }

        return trusted;
    }
}
