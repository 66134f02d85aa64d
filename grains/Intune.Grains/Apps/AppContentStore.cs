using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;

namespace Intune.Grains.Apps;

/// <summary>
/// App packages in the unit's blob storage. Clients and devices talk to the storage directly with
/// time-limited SAS URLs (Graph's <c>azureStorageUri</c>), so package bytes never pass through a
/// silo except when a commit is verified.
/// </summary>
public interface IAppContentStore
{
    /// <summary>Makes sure the container exists before a client is handed an upload URL into it.</summary>
    Task EnsureContainerAsync();

    /// <summary>A URL that lets its holder upload blocks and commit the block list of this one blob until <paramref name="expiresOn"/>.</summary>
    Uri UploadUri(string blobName, DateTimeOffset expiresOn);

    /// <summary>A URL that lets its holder read this one blob until <paramref name="expiresOn"/>.</summary>
    Uri DownloadUri(string blobName, DateTimeOffset expiresOn);

    /// <summary>The committed blob's length, or null when no block list was committed yet.</summary>
    Task<long?> LengthAsync(string blobName, CancellationToken cancellationToken = default);

    Task<Stream> OpenReadAsync(string blobName, CancellationToken cancellationToken = default);

    /// <summary>Removes the blob, or the blocks uploaded for it and never committed. Idempotent.</summary>
    Task DeleteAsync(string blobName, CancellationToken cancellationToken = default);
}

/// <summary>Blob names of app content: <c>{tenantId}.apps/{appId}/{contentVersion}/{fileId}</c>, so one tenant's packages are found by prefix (backups, moves).</summary>
public static class AppContentBlobs
{
    public static string Name(string tenantId, string appId, string contentVersionId, string fileId) =>
        $"{tenantId}.apps/{appId}/{contentVersionId}/{fileId}";
}

public sealed class BlobAppContentStore(BlobContainerClient container) : IAppContentStore
{
    private readonly Lazy<Task> _created = new(() => container.CreateIfNotExistsAsync(), LazyThreadSafetyMode.ExecutionAndPublication);

    public Uri UploadUri(string blobName, DateTimeOffset expiresOn) =>
        container.GetBlobClient(blobName).GenerateSasUri(BlobSasPermissions.Create | BlobSasPermissions.Write, expiresOn);

    public Uri DownloadUri(string blobName, DateTimeOffset expiresOn) =>
        container.GetBlobClient(blobName).GenerateSasUri(BlobSasPermissions.Read, expiresOn);

    public Task EnsureContainerAsync() => _created.Value;

    public async Task<long?> LengthAsync(string blobName, CancellationToken cancellationToken = default)
    {
        try
        {
            var properties = await container.GetBlobClient(blobName).GetPropertiesAsync(cancellationToken: cancellationToken);
            return properties.Value.ContentLength;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task<Stream> OpenReadAsync(string blobName, CancellationToken cancellationToken = default) =>
        await container.GetBlobClient(blobName).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken);

    public async Task DeleteAsync(string blobName, CancellationToken cancellationToken = default)
    {
        var blob = container.GetBlockBlobClient(blobName);
        if ((await container.GetBlobClient(blobName).DeleteIfExistsAsync(cancellationToken: cancellationToken)).Value)
        {
            return;
        }

        // Blocks put but never committed belong to no blob; committing an empty list then deleting
        // removes them now instead of when the storage expires them a week later.
        try
        {
            var blocks = await blob.GetBlockListAsync(BlockListTypes.Uncommitted, cancellationToken: cancellationToken);
            if (blocks.Value.UncommittedBlocks.Any())
            {
                await blob.CommitBlockListAsync([], cancellationToken: cancellationToken);
                await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Nothing was ever uploaded.
        }
    }
}
