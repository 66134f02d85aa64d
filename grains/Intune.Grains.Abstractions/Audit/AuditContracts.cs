namespace Intune.Grains.Audit;

/// <summary>Graph <c>auditEvent</c>: one admin change, as recorded when it happened.</summary>
[GenerateSerializer, Immutable, Alias("intune.AuditEvent")]
public sealed record AuditEvent
{
    /// <summary>A version-7 GUID: ordered by time, and its timestamp names the log partition.</summary>
    [Id(0)] public required Guid Id { get; init; }
    [Id(1)] public required string DisplayName { get; init; }
    [Id(2)] public required string ComponentName { get; init; }
    [Id(3)] public required AuditActor Actor { get; init; }
    [Id(4)] public required string Activity { get; init; }
    [Id(5)] public required DateTimeOffset ActivityDateTime { get; init; }
    [Id(6)] public required string ActivityType { get; init; }
    [Id(7)] public required string ActivityOperationType { get; init; }
    [Id(8)] public required string ActivityResult { get; init; }
    [Id(9)] public required Guid CorrelationId { get; init; }
    [Id(10)] public required string Category { get; init; }
    [Id(11)] public IReadOnlyList<AuditResource> Resources { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("intune.AuditActor")]
public sealed record AuditActor(
    [property: Id(0)] string AuditActorType,
    [property: Id(1)] string? UserPrincipalName,
    [property: Id(2)] string? UserId,
    [property: Id(3)] string? IpAddress,
    [property: Id(4)] IReadOnlyList<string> UserPermissions);

[GenerateSerializer, Immutable, Alias("intune.AuditResource")]
public sealed record AuditResource(
    [property: Id(0)] string DisplayName,
    [property: Id(1)] string AuditResourceType,
    [property: Id(2)] string ResourceId,
    [property: Id(3)] IReadOnlyList<AuditProperty> ModifiedProperties);

[GenerateSerializer, Immutable, Alias("intune.AuditProperty")]
public sealed record AuditProperty(
    [property: Id(0)] string DisplayName,
    [property: Id(1)] string? OldValue,
    [property: Id(2)] string? NewValue);

/// <summary>
/// A tenant's audit log, keyed by tenant id: each event is one append-only row of the unit's
/// audit table (one storage request per event, no cap per month or per tenant), partitioned by
/// tenant and month and read newest first by range. A stateless worker: appends never queue
/// behind each other or behind a listing.
/// </summary>
[Alias("intune.IAuditLogGrain")]
public interface IAuditLogGrain : IGrainWithStringKey
{
    /// <summary>Writes the event (once: appending the same id again changes nothing).</summary>
    [Alias("AppendAsync")]
    Task AppendAsync(AuditEvent auditEvent);

    /// <summary>Events of <paramref name="range"/>, newest first.</summary>
    [Alias("ListRangeAsync")]
    Task<AuditSlice> ListAsync(AuditRange range);

    /// <summary>The event with this id, or null.</summary>
    [Alias("GetAsync")]
    Task<AuditEvent?> GetAsync(Guid id);
}

/// <summary>
/// Which events to read, newest first: those older than <see cref="Before"/> (a previous page's
/// last id), within [<see cref="From"/>, <see cref="To"/>], at most <see cref="Max"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("intune.AuditRange")]
public sealed record AuditRange(
    [property: Id(0)] DateTimeOffset From,
    [property: Id(1)] DateTimeOffset To,
    [property: Id(2)] Guid? Before,
    [property: Id(3)] int Max);

/// <summary>Events read for an <see cref="AuditRange"/>; <see cref="More"/> when the range holds more than were returned.</summary>
[GenerateSerializer, Immutable, Alias("intune.AuditSlice")]
public sealed record AuditSlice(
    [property: Id(0)] IReadOnlyList<AuditEvent> Events,
    [property: Id(1)] bool More);

public static class AuditLogPartitions
{
    /// <summary>Intune keeps audit events for a year; listings read no further back.</summary>
    public const int RetentionMonths = 12;

    public static string Of(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMM", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The first instant of the month <paramref name="time"/> falls in (UTC).</summary>
    public static DateTimeOffset MonthOf(DateTimeOffset time) => new(time.UtcDateTime.Year, time.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The oldest instant a listing reads: the start of the month a year before <paramref name="now"/>.</summary>
    public static DateTimeOffset RetentionStart(DateTimeOffset now) => MonthOf(now).AddMonths(-RetentionMonths);

    /// <summary>The time a version-7 GUID was minted at (its first 48 bits are Unix milliseconds).</summary>
    public static DateTimeOffset? TimeOf(Guid id)
    {
        if (id.Version != 7)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        long ms = 0;
        for (var i = 0; i < 6; i++)
        {
            ms = (ms << 8) | bytes[i];
        }

        return DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }
}
