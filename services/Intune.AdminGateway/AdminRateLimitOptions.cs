namespace Intune.AdminGateway;

/// <summary>
/// Per-tenant throttling of the admin API (a token bucket per <c>tid</c>), so one tenant's
/// scripts cannot starve the others sharing the scale unit. Graph answers 429 with Retry-After.
/// </summary>
public sealed class AdminRateLimitOptions
{
    public const string SectionName = "AdminGateway:RateLimit";

    /// <summary>Requests a tenant may send in a burst.</summary>
    public int TokenLimit { get; set; } = 200;

    /// <summary>Requests added back every <see cref="ReplenishmentPeriod"/>.</summary>
    public int TokensPerPeriod { get; set; } = 100;

    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);
}
