using Intune.AdminGateway.RateLimiting;
using Intune.Grains.Audit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Intune.AdminGateway.Audit;

/// <summary>
/// Failed and forbidden attempts are audited without letting their number grow the log at the
/// caller's will: per tenant and gateway process, the first
/// <see cref="AdminRateLimitOptions.AuditedFailuresPerWindow"/> of each
/// <see cref="AdminRateLimitOptions.AuditedFailureWindow"/> are written one by one; the rest are
/// counted by activity and caller and written as one summary event when the window closes.
/// </summary>
public sealed class FailedAttemptAudit(AuditLog log, IOptions<AdminRateLimitOptions> options, TimeProvider time, ILogger<FailedAttemptAudit> logger)
{
    /// <summary>The activity type of a summary event.</summary>
    public const string SummaryActivity = "Summarize FailedAttempts";

    /// <summary>Distinct (activity, caller) pairs a summary names; any further ones are counted under "(other)".</summary>
    internal const int MaxSummaryRows = 100;

    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>Whether this failure gets an event of its own; if not, it is counted for the window's summary.</summary>
    public bool Admit(string tenantId, AuditEvent failure)
    {
        var limits = options.Value;
        var now = time.GetUtcNow();
        lock (_windows)
        {
            // A closed window whose summary is still to be written keeps counting until it is.
            if (!_windows.TryGetValue(tenantId, out var window) || (now >= window.Ends && window.Suppressed.Count == 0))
            {
                window = new Window(now, now + limits.AuditedFailureWindow);
                _windows[tenantId] = window;
            }

            if (now < window.Ends && window.Written < limits.AuditedFailuresPerWindow)
            {
                window.Written++;
                return true;
            }

            var key = (failure.ActivityType, failure.Actor.UserPrincipalName ?? failure.Actor.UserId ?? "(unknown)");
            if (!window.Suppressed.ContainsKey(key) && window.Suppressed.Count >= MaxSummaryRows)
            {
                key = ("(other)", "(other)");
            }

            window.Suppressed[key] = window.Suppressed.GetValueOrDefault(key) + 1;
            window.Timer ??= time.CreateTimer(_ => _ = FlushAsync(tenantId), null, window.Ends > now ? window.Ends - now : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            return false;
        }
    }

    /// <summary>Writes the summary of a closed window (best effort: the attempts themselves already failed).</summary>
    private async Task FlushAsync(string tenantId)
    {
        Window? window;
        lock (_windows)
        {
            if (!_windows.Remove(tenantId, out window))
            {
                return;
            }
        }

        window.Timer?.Dispose();
        var summary = new AuditEvent
        {
            Id = log.NewEventId(),
            DisplayName = SummaryActivity,
            ComponentName = AuditCategories.Other,
            Actor = new AuditActor("Application", null, null, null, []),
            Activity = SummaryActivity,
            ActivityDateTime = log.Now,
            ActivityType = SummaryActivity,
            ActivityOperationType = "Summary",
            ActivityResult = "Failure",
            CorrelationId = Guid.Empty,
            Category = AuditCategories.Other,
            Resources = window.Suppressed.Select(s => new AuditResource(
                s.Key.Activity, "FailedAttempts", s.Key.Caller,
                [
                    new AuditProperty("count", null, s.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new AuditProperty("from", null, window.Starts.ToString("O")),
                    new AuditProperty("to", null, window.Ends.ToString("O")),
                ])).ToList(),
        };
        try
        {
            await log.AppendAsync(tenantId, summary);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not write the summary of {Count} failed attempts for tenant {TenantId}", window.Suppressed.Values.Sum(), tenantId);
        }
    }

    private sealed class Window(DateTimeOffset starts, DateTimeOffset ends)
    {
        public DateTimeOffset Starts { get; } = starts;

        public DateTimeOffset Ends { get; } = ends;

        public int Written { get; set; }

        public Dictionary<(string Activity, string Caller), int> Suppressed { get; } = [];

        public ITimer? Timer { get; set; }
    }
}
