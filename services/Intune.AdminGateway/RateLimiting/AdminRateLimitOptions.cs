using Microsoft.Extensions.Options;

namespace Intune.AdminGateway.RateLimiting;

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

    /// <summary>Failed or forbidden changes of a tenant audited one by one per <see cref="AuditedFailureWindow"/>; the rest are summarized.</summary>
    public int AuditedFailuresPerWindow { get; set; } = 20;

    public TimeSpan AuditedFailureWindow { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Refuses limits that would throttle every request or none, naming the field.</summary>
internal sealed class AdminRateLimitOptionsValidator : IValidateOptions<AdminRateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminRateLimitOptions options)
    {
        var failures = new List<string>();
        if (options.TokenLimit < 1)
        {
            failures.Add($"{AdminRateLimitOptions.SectionName}:{nameof(options.TokenLimit)} must be at least 1 (got {options.TokenLimit}).");
        }

        if (options.TokensPerPeriod < 1)
        {
            failures.Add($"{AdminRateLimitOptions.SectionName}:{nameof(options.TokensPerPeriod)} must be at least 1 (got {options.TokensPerPeriod}).");
        }

        if (options.ReplenishmentPeriod <= TimeSpan.Zero)
        {
            failures.Add($"{AdminRateLimitOptions.SectionName}:{nameof(options.ReplenishmentPeriod)} must be positive (got {options.ReplenishmentPeriod}).");
        }

        if (options.AuditedFailuresPerWindow < 0)
        {
            failures.Add($"{AdminRateLimitOptions.SectionName}:{nameof(options.AuditedFailuresPerWindow)} must not be negative (got {options.AuditedFailuresPerWindow}).");
        }

        if (options.AuditedFailureWindow <= TimeSpan.Zero)
        {
            failures.Add($"{AdminRateLimitOptions.SectionName}:{nameof(options.AuditedFailureWindow)} must be positive (got {options.AuditedFailureWindow}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
