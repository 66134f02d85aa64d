using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

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
        : this(ScaleUnitStorageLayout.For(unit), unit.StorageConnectionString)
    {
    }

    public ScaleUnitStorage(ScaleUnitStorageLayout layout, string connectionString)
    {
        Layout = layout;
        Tables = CreateTableService(connectionString);
        Blobs = CreateBlobService(connectionString);
    }

    public ScaleUnitStorageLayout Layout { get; }

    public TableServiceClient Tables { get; }

    public BlobServiceClient Blobs { get; }

    public TableClient Table(UnitStore store) =>
        store.Kind == StoreKind.Table ? Tables.GetTableClient(store.Name) : throw new ArgumentException($"{store.Id} is a blob container, not a table.", nameof(store));

    public BlobContainerClient Container(UnitStore store) =>
        store.Kind == StoreKind.BlobContainer ? Blobs.GetBlobContainerClient(store.Name) : throw new ArgumentException($"{store.Id} is a table, not a blob container.", nameof(store));

    /// <summary>A table service client of any account (a unit's, a backup account) with the shared client options.</summary>
    public static TableServiceClient CreateTableService(string connectionString) => new(connectionString, Configure(new TableClientOptions()));

    /// <summary>A blob service client of any account (a unit's, a backup account) with the shared client options.</summary>
    public static BlobServiceClient CreateBlobService(string connectionString) => new(connectionString, Configure(new BlobClientOptions()));

    /// <summary>The one place where every storage client's pipeline is set up.</summary>
    private static T Configure<T>(T options)
        where T : ClientOptions => options;
}
