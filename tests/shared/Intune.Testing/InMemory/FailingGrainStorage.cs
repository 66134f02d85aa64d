using System.Collections.Concurrent;
using Orleans.Serialization;
using Orleans.Storage;

namespace Intune.Testing.InMemory;

/// <summary>
/// In-memory grain storage (for grain unit tests) that fails writes on demand, as a storage
/// account that times out or refuses would: what a grain keeps after a failed write, and what
/// its caller is told, can then be checked. ETags are checked like Azure Table's.
/// </summary>
public sealed class FailingGrainStorage(DeepCopier copier) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string StateName, GrainId GrainId), (object State, string ETag)> _rows = new();
    private Func<GrainId, bool>? _failing;
    private int _failedWrites;

    /// <summary>Writes and clears of the grains <paramref name="which"/> picks fail from now on.</summary>
    public void FailWritesOf(Func<GrainId, bool> which) => Volatile.Write(ref _failing, which);

    public void Heal() => Volatile.Write(ref _failing, null);

    public int FailedWrites => Volatile.Read(ref _failedWrites);

    /// <summary>What storage holds for the grain (a copy), or default when nothing.</summary>
    public T? Stored<T>(string stateName, GrainId grainId) =>
        _rows.TryGetValue((stateName, grainId), out var row) ? copier.Copy((T)row.State) : default;

    /// <summary>Puts a row as an earlier version of the code would have written it (before any grain reads it).</summary>
    public void Put<T>(string stateName, GrainId grainId, T state) where T : notnull =>
        _rows[(stateName, grainId)] = (copier.Copy(state), Guid.NewGuid().ToString("N"));

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_rows.TryGetValue((stateName, grainId), out var row))
        {
            grainState.State = copier.Copy((T)row.State);
            grainState.ETag = row.ETag;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        FailIfAsked(grainId);
        var key = (stateName, grainId);
        var current = _rows.TryGetValue(key, out var row) ? row.ETag : null;
        if (current != grainState.ETag)
        {
            throw new InconsistentStateException($"ETag mismatch for {grainId}", current, grainState.ETag);
        }

        var etag = Guid.NewGuid().ToString("N");
        _rows[key] = (copier.Copy(grainState.State)!, etag);
        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        FailIfAsked(grainId);
        _rows.TryRemove((stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private void FailIfAsked(GrainId grainId)
    {
        if (Volatile.Read(ref _failing) is { } failing && failing(grainId))
        {
            Interlocked.Increment(ref _failedWrites);
            throw new IOException($"Injected storage failure writing {grainId}.");
        }
    }
}
