using Azure;
using Azure.Data.Tables;

namespace Intune.Grains;

/// <summary>
/// Writes one partition's changed rows as batch transactions, for the stores that keep a set or
/// report as one row per member (policy reports, group members, policy targets).
/// </summary>
internal static class TableBatches
{
    /// <summary>Azure Table's limit on actions per transaction.</summary>
    private const int BatchSize = 100;

    /// <summary>Batches in flight: enough to keep storage busy, few enough not to crowd out other callers.</summary>
    private const int WriteConcurrency = 8;

    /// <summary>Upserts (replace) <paramref name="upserts"/> and deletes the rows <paramref name="deletes"/> of one partition; idempotent.</summary>
    public static Task UpsertAndDeleteAsync(TableClient table, string partition, IEnumerable<TableEntity> upserts, IEnumerable<string> deletes, CancellationToken cancellationToken)
    {
        var batches = upserts
            .Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e))
            .Concat(deletes.Select(id => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, id), ETag.All)))
            .Chunk(BatchSize);
        return Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = WriteConcurrency, CancellationToken = cancellationToken }, async (batch, ct) =>
        {
            try
            {
                await table.SubmitTransactionAsync(batch, ct);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                // A delete of a row never written fails the whole batch: apply it row by row instead.
                foreach (var action in batch)
                {
                    if (action.ActionType == TableTransactionActionType.Delete)
                    {
                        await table.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, ETag.All, ct);
                    }
                    else
                    {
                        await table.UpsertEntityAsync((TableEntity)action.Entity, TableUpdateMode.Replace, ct);
                    }
                }
            }
        });
    }
}
