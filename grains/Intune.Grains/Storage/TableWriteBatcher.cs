using Azure;
using Azure.Data.Tables;

namespace Intune.Grains;

/// <summary>
/// Group commit for single-row writes to one table, for rows that many grains write one at a time
/// (device catalog rows, hardware index rows). A write that finds its partition idle goes out at
/// once, alone, so nothing waits on a timer; writes that arrive while one is in flight wait for it
/// and then go out together as one batch transaction. Under load, n writes to a partition cost
/// about n ÷ 100 requests instead of n, which matters because every request of the unit shares
/// one storage account (one Azurite thread in development).
/// Each caller returns once its own row is stored. A transaction refused as a whole because of
/// one row (too large, invalid) is retried row by row, so only that row's caller sees the error.
/// </summary>
internal sealed class TableWriteBatcher(TableClient table)
{
    /// <summary>Azure Table's limit on actions per transaction.</summary>
    private const int MaxActions = 100;

    /// <summary>Below the 4 MiB a transaction's payload may hold, with room for the envelope.</summary>
    private const long MaxPayloadBytes = 3L * 1024 * 1024;

    private readonly Dictionary<string, Partition> _partitions = new(StringComparer.Ordinal);

    /// <summary>Upserts (replace) the row; returns once storage holds it.</summary>
    public Task UpsertAsync(TableEntity entity, CancellationToken cancellationToken = default) =>
        SubmitAsync(new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity), cancellationToken);

    /// <summary>Deletes the row if its ETag still matches <paramref name="etag"/> (<see cref="ETag.All"/>: whatever it is); returns once it is gone.</summary>
    public Task DeleteAsync(string partitionKey, string rowKey, ETag etag, CancellationToken cancellationToken = default) =>
        SubmitAsync(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partitionKey, rowKey), etag), cancellationToken);

    private Task SubmitAsync(TableTransactionAction action, CancellationToken cancellationToken)
    {
        var write = new PendingWrite(action);
        Partition partition;
        bool start;
        lock (_partitions)
        {
            if (!_partitions.TryGetValue(action.Entity.PartitionKey, out partition!))
            {
                partition = new Partition(action.Entity.PartitionKey);
                _partitions.Add(partition.Key, partition);
            }

            partition.Waiting.Add(write);
            start = !partition.Writing;
            partition.Writing = true;
        }

        if (start)
        {
            // Off the caller's scheduler: a grain's turn must not carry other grains' writes.
            _ = Task.Run(() => DrainAsync(partition), CancellationToken.None);
        }

        return write.Stored.Task.WaitAsync(cancellationToken);
    }

    private async Task DrainAsync(Partition partition)
    {
        while (true)
        {
            List<PendingWrite> batch;
            lock (_partitions)
            {
                if (partition.Waiting.Count == 0)
                {
                    partition.Writing = false;
                    _partitions.Remove(partition.Key);
                    return;
                }

                batch = TakeBatch(partition.Waiting);
            }

            await WriteAsync(batch);
        }
    }

    /// <summary>The oldest waiting writes that fit one transaction: one action per row, within the count and size limits.</summary>
    private static List<PendingWrite> TakeBatch(List<PendingWrite> waiting)
    {
        var batch = new List<PendingWrite>(Math.Min(waiting.Count, MaxActions));
        var rows = new HashSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        foreach (var write in waiting)
        {
            if (batch.Count == MaxActions || (batch.Count > 0 && bytes + write.Bytes > MaxPayloadBytes))
            {
                break;
            }

            // A second write of the same row waits for the next transaction, keeping the order of writes.
            if (rows.Add(write.Action.Entity.RowKey))
            {
                batch.Add(write);
                bytes += write.Bytes;
            }
        }

        foreach (var taken in batch)
        {
            waiting.Remove(taken);
        }

        return batch;
    }

    private async Task WriteAsync(List<PendingWrite> batch)
    {
        if (batch.Count == 1)
        {
            await WriteOneAsync(batch[0]);
            return;
        }

        try
        {
            await table.SubmitTransactionAsync(batch.Select(w => w.Action));
            foreach (var write in batch)
            {
                write.Stored.TrySetResult();
            }
        }
        catch (TableTransactionFailedException)
        {
            // One row spoiled the transaction (a delete of a row already gone, an entity too large):
            // each row on its own, so each caller gets its own answer.
            foreach (var write in batch)
            {
                await WriteOneAsync(write);
            }
        }
        catch (Exception e)
        {
            foreach (var write in batch)
            {
                write.Stored.TrySetException(e);
            }
        }
    }

    private async Task WriteOneAsync(PendingWrite write)
    {
        var entity = write.Action.Entity;
        try
        {
            if (write.Action.ActionType == TableTransactionActionType.Delete)
            {
                await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, write.Action.ETag);
            }
            else
            {
                await table.UpsertEntityAsync((TableEntity)entity, TableUpdateMode.Replace);
            }

            write.Stored.TrySetResult();
        }
        catch (Exception e)
        {
            write.Stored.TrySetException(e);
        }
    }

    private sealed class Partition(string key)
    {
        public string Key { get; } = key;

        public List<PendingWrite> Waiting { get; } = [];

        public bool Writing { get; set; }
    }

    private sealed class PendingWrite(TableTransactionAction action)
    {
        public TableTransactionAction Action { get; } = action;

        public TaskCompletionSource Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>What the row adds to a transaction's payload, over-estimated (JSON escapes, UTF-8, the per-action envelope).</summary>
        public long Bytes { get; } = 512 + ((TableEntity)action.Entity).Sum(p => p.Value switch
        {
            string text => 2L * (p.Key.Length + text.Length),
            byte[] bytes => 2L * (p.Key.Length + bytes.Length),
            _ => 2L * p.Key.Length + 32,
        });
    }
}
