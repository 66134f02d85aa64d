using Intune.Grains.Tenants;

namespace Intune.Testing.InMemory;

/// <summary>Marks in memory: for grain unit tests.</summary>
public sealed class InMemoryTenantMoveMarkStore : ITenantMoveMarkStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TenantMoveMark> _marks = new(StringComparer.Ordinal);

    public void Set(string tenantId, TenantMoveMark? mark)
    {
        if (mark is null)
        {
            _marks.TryRemove(tenantId, out _);
        }
        else
        {
            _marks[tenantId] = mark;
        }
    }

    public Task<TenantMoveMark?> GetAsync(string tenantId, CancellationToken cancellationToken) =>
        Task.FromResult(_marks.TryGetValue(tenantId, out var mark) ? mark : null);
}
