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
/// per unit (grain factory) and tenant.
/// </summary>
public sealed class TenantMoveMarks(TenantMoveMarkOptions options, TimeProvider time)
{
    private readonly ConditionalWeakTable<IGrainFactory, ConcurrentDictionary<string, (TenantMoveMark? Mark, DateTimeOffset Expires)>> _cache = new();

    public async ValueTask<TenantMoveMark?> GetAsync(IGrainFactory unit, string tenantId)
    {
        var marks = _cache.GetValue(unit, _ => new ConcurrentDictionary<string, (TenantMoveMark?, DateTimeOffset)>(StringComparer.Ordinal));
        var now = time.GetUtcNow();
        if (marks.TryGetValue(tenantId, out var cached) && cached.Expires > now)
        {
            return cached.Mark;
        }

        var mark = await unit.GetGrain<ITenantMoveMarkGrain>(tenantId).GetAsync();
        if (options.CacheSeconds > 0)
        {
            marks[tenantId] = (mark, now.AddSeconds(options.CacheSeconds));
        }

        return mark;
    }
}
