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
/// One month of a tenant's audit log, keyed <c>tenantId/yyyy-MM</c>: append-only and persisted.
/// Monthly partitions keep each grain's state bounded and let date filters touch only the
/// months they cover (Intune keeps audit events for one year).
/// </summary>
[Alias("intune.IAuditLogGrain")]
public interface IAuditLogGrain : IGrainWithStringKey
{
    [Alias("AppendAsync")]
    Task AppendAsync(AuditEvent auditEvent);

    /// <summary>The month's events, newest first.</summary>
    [Alias("ListAsync")]
    Task<IReadOnlyList<AuditEvent>> ListAsync();
}

public static class AuditLogPartitions
{
    public static string Of(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    public static string Key(string tenantId, DateTimeOffset time) => GrainKeys.Scoped(tenantId, Of(time));

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
