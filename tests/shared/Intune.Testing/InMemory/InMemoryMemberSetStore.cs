using System.Collections.Concurrent;
using Intune.Grains.Groups;

namespace Intune.Testing.InMemory;

/// <summary>Sets in memory: for grain unit tests.</summary>
public sealed class InMemoryMemberSetStore : IMemberSetStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _sets = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<string>> LoadAsync(string tenantId, string setId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>(Set(tenantId, setId).Keys.ToList());

    public Task SaveAsync(string tenantId, string setId, IReadOnlyCollection<string> added, IReadOnlyCollection<string> removed, CancellationToken cancellationToken = default)
    {
        // Honours the token as the table store does, so tests see a write that was cancelled.
        cancellationToken.ThrowIfCancellationRequested();
        var set = Set(tenantId, setId);
        foreach (var id in added)
        {
            set[id] = 0;
        }

        foreach (var id in removed)
        {
            set.TryRemove(id, out _);
        }

        return Task.CompletedTask;
    }

    public Task DeleteAllAsync(string tenantId, string setId, CancellationToken cancellationToken = default)
    {
        _sets.TryRemove(TableMemberSetStore.PartitionKey(tenantId, setId), out _);
        return Task.CompletedTask;
    }

    private ConcurrentDictionary<string, byte> Set(string tenantId, string setId) =>
        _sets.GetOrAdd(TableMemberSetStore.PartitionKey(tenantId, setId), _ => new(StringComparer.Ordinal));
}
