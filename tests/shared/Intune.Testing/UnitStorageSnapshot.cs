using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Intune.ClusterConfig;

namespace Intune.Testing;

/// <summary>
/// Every row and blob of a unit, by key and ETag, across every store the storage layout names,
/// so a test can show that an operation wrote nothing anywhere, not only in the tables it thought
/// of. Membership is left out: silos rewrite their heartbeat there whatever the test does.
/// </summary>
public static class UnitStorageSnapshot
{
    public static async Task<string> TakeAsync(ScaleUnitTestHost host)
    {
        var layout = ScaleUnitStorageLayout.For(host.Unit);
        var tables = new TableServiceClient(host.Unit.StorageConnectionString);
        var blobs = new BlobServiceClient(host.Unit.StorageConnectionString);
        var lines = new List<string>();
        foreach (var store in layout.Stores.Where(s => s != layout.Membership))
        {
            try
            {
                if (store.Kind == StoreKind.Table)
                {
                    await foreach (var entity in tables.GetTableClient(store.Name).QueryAsync<TableEntity>(select: ["PartitionKey"]))
                    {
                        lines.Add($"{store.Id}/{entity.PartitionKey}/{entity.RowKey}/{entity.ETag}");
                    }
                }
                else
                {
                    await foreach (var blob in blobs.GetBlobContainerClient(store.Name).GetBlobsAsync())
                    {
                        lines.Add($"{store.Id}/{blob.Name}/{blob.Properties.ETag}");
                    }
                }
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 404)
            {
                // Stores appear with their first write; a missing one is part of the snapshot.
                lines.Add($"{store.Id}: none");
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines);
    }
}
