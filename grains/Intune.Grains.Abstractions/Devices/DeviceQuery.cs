namespace Intune.Grains.Devices;

/// <summary>The device fields admin queries filter and order on (Graph <c>managedDevice</c> names).</summary>
[GenerateSerializer, Alias("intune.DeviceField")]
public enum DeviceField
{
    Id = 0,
    DeviceName = 1,
    OperatingSystem = 2,
    ComplianceState = 3,
    ManagementState = 4,
    UserPrincipalName = 5,
    SerialNumber = 6,
    LastSyncDateTime = 7,
    EnrolledDateTime = 8,
}

[GenerateSerializer, Alias("intune.DeviceFilterOperator")]
public enum DeviceFilterOperator
{
    Equal = 0,
    NotEqual = 1,
    LessThan = 2,
    LessThanOrEqual = 3,
    GreaterThan = 4,
    GreaterThanOrEqual = 5,
    StartsWith = 6,
    Contains = 7,
}

/// <summary>
/// A parsed <c>$filter</c> over <see cref="DeviceIndexRow"/>: a small tree the index partitions
/// evaluate. The gateway builds it from the OData parser's semantic tree, so it never sees text.
/// </summary>
[GenerateSerializer, Immutable, Alias("intune.DeviceFilter")]
public abstract record DeviceFilter;

[GenerateSerializer, Immutable, Alias("intune.DeviceFilter.And")]
public sealed record DeviceFilterAnd([property: Id(0)] DeviceFilter Left, [property: Id(1)] DeviceFilter Right) : DeviceFilter;

[GenerateSerializer, Immutable, Alias("intune.DeviceFilter.Or")]
public sealed record DeviceFilterOr([property: Id(0)] DeviceFilter Left, [property: Id(1)] DeviceFilter Right) : DeviceFilter;

[GenerateSerializer, Immutable, Alias("intune.DeviceFilter.Not")]
public sealed record DeviceFilterNot([property: Id(0)] DeviceFilter Inner) : DeviceFilter;

/// <summary>
/// <c>field op value</c>. Text fields (enums included, as their Graph strings) use
/// <see cref="Text"/>; date fields use <see cref="Date"/>. A null value compares as OData null.
/// </summary>
[GenerateSerializer, Immutable, Alias("intune.DeviceFilter.Compare")]
public sealed record DeviceFilterCompare(
    [property: Id(0)] DeviceField Field,
    [property: Id(1)] DeviceFilterOperator Operator,
    [property: Id(2)] string? Text,
    [property: Id(3)] DateTimeOffset? Date) : DeviceFilter;

/// <summary>The listed fields of one device: what the per-tenant index keeps in memory.</summary>
[GenerateSerializer, Immutable, Alias("intune.DeviceIndexRow")]
public sealed record DeviceIndexRow
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string DeviceName { get; init; }
    [Id(2)] public required string OperatingSystem { get; init; }
    [Id(3)] public required string ComplianceState { get; init; }
    [Id(4)] public required string ManagementState { get; init; }
    [Id(5)] public string? UserPrincipalName { get; init; }
    [Id(6)] public string? SerialNumber { get; init; }
    [Id(7)] public DateTimeOffset LastSyncDateTime { get; init; }
    [Id(8)] public DateTimeOffset EnrolledDateTime { get; init; }

    /// <summary>Orders updates: the index keeps the row with the highest version (one-way calls may overtake each other).</summary>
    [Id(9)] public long Version { get; init; }
}

/// <summary>Order of a device listing; the device id always breaks ties so keys are unique.</summary>
[GenerateSerializer, Alias("intune.DeviceOrder")]
public enum DeviceOrder
{
    Id = 0,
    DeviceNameAscending = 1,
    DeviceNameDescending = 2,
    LastSyncAscending = 3,
    LastSyncDescending = 4,
}

/// <summary>The sort key of the last row of a page: the next page starts strictly after it.</summary>
[GenerateSerializer, Immutable, Alias("intune.DeviceKeyset")]
public sealed record DeviceKeyset(
    [property: Id(0)] string Id,
    [property: Id(1)] string? DeviceName,
    [property: Id(2)] DateTimeOffset LastSyncDateTime);

[GenerateSerializer, Immutable, Alias("intune.DeviceQuery")]
public sealed record DeviceQuery
{
    [Id(0)] public DeviceFilter? Filter { get; init; }
    [Id(1)] public DeviceOrder Order { get; init; }
    /// <summary>Rows to return; 0 asks only for the count.</summary>
    [Id(2)] public int Top { get; init; } = 100;
    [Id(3)] public DeviceKeyset? After { get; init; }
    [Id(4)] public bool Count { get; init; }
}

/// <summary>One partition's (or, merged, the tenant's) answer: matching rows in order, and the match count when asked.</summary>
[GenerateSerializer, Immutable, Alias("intune.DeviceIndexPage")]
public sealed record DeviceIndexPage(
    [property: Id(0)] IReadOnlyList<DeviceIndexRow> Rows,
    [property: Id(1)] bool HasMore,
    [property: Id(2)] long? Count);

/// <summary>A page of full device views with the keyset of the next page (null on the last page).</summary>
[GenerateSerializer, Immutable, Alias("intune.DeviceQueryResult")]
public sealed record DeviceQueryResult(
    [property: Id(0)] IReadOnlyList<ManagedDeviceView> Devices,
    [property: Id(1)] DeviceKeyset? Next,
    [property: Id(2)] long? Count);

public static class DeviceFields
{
    /// <summary>Graph writes enum members camelCase (<c>inGracePeriod</c>).</summary>
    public static string GraphName(string member) => member.Length == 0 ? member : char.ToLowerInvariant(member[0]) + member[1..];

    public static bool IsDate(this DeviceField field) => field is DeviceField.LastSyncDateTime or DeviceField.EnrolledDateTime;
}
