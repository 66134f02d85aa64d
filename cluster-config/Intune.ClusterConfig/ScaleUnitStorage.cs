using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Intune.ServiceDefaults;

namespace Intune.ClusterConfig;

/// <summary>
/// A scale unit's storage account opened once: the clients of its tables and containers, named by
/// <see cref="ScaleUnitStorageLayout"/>. Every process that reaches a unit's own storage (its silo,
/// Orleans clients of the unit, <c>intune-ops</c>) creates its clients here, so whatever every
/// storage request must pass through (the request-counting policy) is attached in one place.
/// </summary>
public sealed class ScaleUnitStorage
{
    public ScaleUnitStorage(ScaleUnitOptions unit)
        : this(ScaleUnitStorageLayout.For(unit), unit.StorageConnectionString, unit.Id)
    {
    }

    /// <param name="scaleUnitId">The unit the requests are counted for (the <c>scale_unit</c> tag of <see cref="StorageRequestCounter"/>).</param>
    public ScaleUnitStorage(ScaleUnitStorageLayout layout, string connectionString, string scaleUnitId)
    {
        Layout = layout;
        Tables = CreateTableService(connectionString, scaleUnitId, layout.StoragePrefix);
        Blobs = CreateBlobService(connectionString, scaleUnitId, layout.StoragePrefix);
    }

    public ScaleUnitStorageLayout Layout { get; }

    public TableServiceClient Tables { get; }

    public BlobServiceClient Blobs { get; }

    public TableClient Table(UnitStore store) =>
        store.Kind == StoreKind.Table ? Tables.GetTableClient(store.Name) : throw new ArgumentException($"{store.Id} is a blob container, not a table.", nameof(store));

    public BlobContainerClient Container(UnitStore store) =>
        store.Kind == StoreKind.BlobContainer ? Blobs.GetBlobContainerClient(store.Name) : throw new ArgumentException($"{store.Id} is a table, not a blob container.", nameof(store));

    /// <summary>A table service client of any account (a unit's, a backup account) with the shared client options.</summary>
    public static TableServiceClient CreateTableService(string connectionString, string scaleUnitId, string storagePrefix) =>
        new(connectionString, Configure(new TableClientOptions(), scaleUnitId, storagePrefix));

    /// <summary>A blob service client of any account (a unit's, a backup account) with the shared client options.</summary>
    public static BlobServiceClient CreateBlobService(string connectionString, string scaleUnitId, string storagePrefix) =>
        new(connectionString, Configure(new BlobClientOptions(), scaleUnitId, storagePrefix));

    /// <summary>
    /// The one place where every storage client's pipeline is set up: every request is counted
    /// (storage requests per operation are this system's budget, docs/architecture.md).
    /// </summary>
    private static T Configure<T>(T options, string scaleUnitId, string storagePrefix)
        where T : ClientOptions => StorageRequestCounter.Attach(options, scaleUnitId, storagePrefix);
}
