using Intune.Grains.Devices;

namespace Intune.Grains.Tenants;

[GenerateSerializer, Immutable, Alias("intune.TenantInfo")]
public sealed record TenantInfo(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string Region,
    [property: Id(3)] DateTimeOffset CreatedDateTime);

/// <summary>An enrollment token as the admin sees it. The secret is shown only when created.</summary>
[GenerateSerializer, Immutable, Alias("intune.EnrollmentTokenInfo")]
public sealed record EnrollmentTokenInfo(
    [property: Id(0)] string TokenId,
    [property: Id(1)] string? Token,
    [property: Id(2)] DateTimeOffset ExpiresDateTime,
    [property: Id(3)] int? MaximumUses,
    [property: Id(4)] int Uses,
    [property: Id(5)] bool Revoked);

/// <summary>What the tenant checks before a device may enroll.</summary>
[GenerateSerializer, Immutable, Alias("intune.EnrollmentCandidate")]
public sealed record EnrollmentCandidate(
    [property: Id(0)] DevicePlatform Platform,
    [property: Id(1)] string OsVersion,
    [property: Id(2)] DeviceOwnership Ownership,
    [property: Id(3)] string? UserPrincipalName)
{
    /// <summary>
    /// The groups named by enrollment restrictions that the enrolling user belongs to (resolved
    /// by the enrollment coordinator, so the Tenant grain never waits on Group grains).
    /// </summary>
    [Id(4)] public IReadOnlyList<string> UserGroupIds { get; init; } = [];
}

/// <summary>Why an enrollment was refused; the gateway maps each to a gRPC status.</summary>
[GenerateSerializer, Alias("intune.EnrollmentRefusal")]
public enum EnrollmentRefusal
{
    InvalidToken = 0,
    TokenExpired = 1,
    TokenRevoked = 2,
    TokenExhausted = 3,
    TenantNotFound = 4,
    InvalidRequest = 5,
    PlatformBlocked = 6,
    PersonalDeviceBlocked = 7,
    OsVersionBelowMinimum = 8,
    OsVersionAboveMaximum = 9,
    DeviceLimitReached = 10,
}

/// <summary>Thrown by enrollment when the tenant refuses a device; nothing has been written.</summary>
[GenerateSerializer, Alias("intune.EnrollmentRefusedException")]
public sealed class EnrollmentRefusedException(EnrollmentRefusal reason, string message) : Exception(message)
{
    [Id(0)] public EnrollmentRefusal Reason { get; } = reason;
}
