using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Intune.Grains.Certificates;

/// <summary>
/// Keeps the CA in the scale unit's own blob storage. Creation is conditional (If-None-Match: *)
/// so two silos starting together end up with one CA.
/// </summary>
public sealed class BlobCertificateAuthorityStore(BlobContainerClient container) : ICertificateAuthorityStore
{
    private const string BlobName = "device-ca.pfx";

    public async Task<byte[]?> LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var result = await container.GetBlobClient(BlobName).DownloadContentAsync(cancellationToken);
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
            await container.GetBlobClient(BlobName).UploadAsync(
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
}

/// <summary>Keeps the CA in memory: for grain unit tests only.</summary>
public sealed class InMemoryCertificateAuthorityStore : ICertificateAuthorityStore
{
    private byte[]? _stored;

    public Task<byte[]?> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(Volatile.Read(ref _stored));

    public Task<bool> TryCreateAsync(byte[] pkcs12, CancellationToken cancellationToken) =>
        Task.FromResult(Interlocked.CompareExchange(ref _stored, pkcs12, null) is null);
}
