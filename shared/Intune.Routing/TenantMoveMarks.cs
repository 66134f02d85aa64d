using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Intune.Grains.Tenants;
using Microsoft.Extensions.Options;

namespace Intune.Routing;

/// <summary>How long gateways keep a tenant's move mark (section <c>TenantMoves</c>).</summary>
public sealed class TenantMoveMarkOptions
{
    public const string SectionName = "TenantMoves";

    /// <summary>
    /// Seconds a gateway reuses a tenant's mark (or its absence) before asking the unit again:
    /// one small read per tenant and gateway in that time, not one per call. A move waits longer
    /// than this (<c>TenantDirectory:MoveDrainSeconds</c>) before it copies, so every gateway
    /// has stopped writes by then. 0 reads it on every call.
    /// </summary>
    public int CacheSeconds { get; set; } = 5;
}

/// <summary>Rejects a <c>TenantMoves</c> section at start with errors that name the bad field.</summary>
public sealed class TenantMoveMarkOptionsValidator : IValidateOptions<TenantMoveMarkOptions>
{
    public ValidateOptionsResult Validate(string? name, TenantMoveMarkOptions options) =>
        options.CacheSeconds is < 0 or > 300
            ? ValidateOptionsResult.Fail($"TenantMoves:CacheSeconds {options.CacheSeconds} must be between 0 and 300 (a move waits it out before copying).")
            : ValidateOptionsResult.Success;
}

/// <summary>
/// Gateways' cached view of the move marks of the units they reach (<see cref="ITenantMoveMarkGrain"/>),
/// per unit (grain factory) and tenant. Concurrent callers share one lookup: when the entry
/// expires under a burst (a nudge wave: thousands of check-ins of one tenant at once), one call
/// goes to the grain instead of one per check-in, which had queued thousands of calls on its
/// activations until they timed out. A lookup is shared only while younger than the cache time,
/// so a mark set after it started is seen within that time, as a move relies on.
/// </summary>
public sealed class TenantMoveMarks(TenantMoveMarkOptions options, TimeProvider time)
{
    private readonly ConditionalWeakTable<IGrainFactory, Dictionary<string, Lookup>> _cache = new();

    public async ValueTask<TenantMoveMark?> GetAsync(IGrainFactory unit, string tenantId)
    {
        if (options.CacheSeconds == 0)
        {
            return await unit.GetGrain<ITenantMoveMarkGrain>(tenantId).GetAsync();
        }

        var marks = _cache.GetValue(unit, _ => new Dictionary<string, Lookup>(StringComparer.Ordinal));
        var now = time.GetUtcNow();
        Lookup lookup;
        lock (marks)
        {
            if (!marks.TryGetValue(tenantId, out lookup!) || lookup.Expires <= now || lookup.Mark.IsFaulted || lookup.Mark.IsCanceled)
            {
                // Expires counts from the start of the lookup: the mark it returns is at least that fresh.
                lookup = new Lookup(unit.GetGrain<ITenantMoveMarkGrain>(tenantId).GetAsync(), now.AddSeconds(options.CacheSeconds));
                marks[tenantId] = lookup;
            }
        }

        return await lookup.Mark;
    }

    private sealed record Lookup(Task<TenantMoveMark?> Mark, DateTimeOffset Expires);
}
