using Intune.Grains.Policies;

namespace Intune.Grains.Tenants;

/// <summary>The durable record of a tenant. Stored format: add members with new ids only.</summary>
[GenerateSerializer, Alias("intune.TenantState")]
public sealed class TenantState
{
    [Id(0)] public string? DisplayName { get; set; }
    [Id(1)] public string? Region { get; set; }
    [Id(2)] public DateTimeOffset CreatedDateTime { get; set; }
    /// <summary>Legacy: tokens now live in their own row (<see cref="EnrollmentTokensState"/>); moved there on activation.</summary>
    [Id(3)] public List<EnrollmentTokenRecord> EnrollmentTokens { get; set; } = [];
    /// <summary>Legacy: restrictions now live in their own row (<see cref="EnrollmentRestrictionsState"/>); moved there on activation.</summary>
    [Id(4)] public List<EnrollmentConfiguration> EnrollmentConfigurations { get; set; } = [];

    // Compliance and configuration (issue 4 uses ids 20–39).
    [Id(20)] public ComplianceSettings? ComplianceSettings { get; set; }
    [Id(21)] public Dictionary<string, PolicyCatalogEntry> Policies { get; set; } = [];
    /// <summary>Legacy: the group list is now member-set rows (<c>MemberSets.TenantGroups</c>); moved there on activation.</summary>
    [Id(22)] public Dictionary<string, string> Groups { get; set; } = [];
    /// <summary>Legacy: retire requests now live in their own row (<see cref="RetireRequestsState"/>); moved there on activation.</summary>
    [Id(23)] public Dictionary<string, RetireRequest> RetireRequests { get; set; } = [];
    /// <summary>Moves with every change of the assignment facts (see TenantGrain.Delivery.cs).</summary>
    [Id(24)] public long DeliveryVersion { get; set; }
    /// <summary>Membership version of each group some deliverable targets, so caches refetch only groups that changed.</summary>
    [Id(25)] public Dictionary<string, long> GroupVersions { get; set; } = [];

    public bool Exists => DisplayName is not null;

    public bool HasLegacyRows => EnrollmentTokens.Count + EnrollmentConfigurations.Count + Groups.Count + RetireRequests.Count > 0;
}

/// <summary>The tenant's enrollment tokens: the row every admission writes (a token use). Stored format: add members with new ids only.</summary>
[GenerateSerializer, Alias("intune.EnrollmentTokensState")]
public sealed class EnrollmentTokensState
{
    [Id(0)] public List<EnrollmentTokenRecord> Tokens { get; set; } = [];
}

/// <summary>The tenant's enrollment restrictions; the built-in defaults are added on first use. Stored format: add members with new ids only.</summary>
[GenerateSerializer, Alias("intune.EnrollmentRestrictionsState")]
public sealed class EnrollmentRestrictionsState
{
    [Id(0)] public List<EnrollmentConfiguration> Configurations { get; set; } = [];
}

/// <summary>Retire and wipe requests raised by compliance actions, by device. Stored format: add members with new ids only.</summary>
[GenerateSerializer, Alias("intune.RetireRequestsState")]
public sealed class RetireRequestsState
{
    [Id(0)] public Dictionary<string, RetireRequest> Requests { get; set; } = [];
}

/// <summary>An enrollment token as stored: only a hash of the secret is kept.</summary>
[GenerateSerializer, Alias("intune.EnrollmentTokenRecord")]
public sealed class EnrollmentTokenRecord
{
    [Id(0)] public string TokenId { get; set; } = string.Empty;
    [Id(1)] public string SecretHash { get; set; } = string.Empty;
    [Id(2)] public DateTimeOffset ExpiresDateTime { get; set; }
    [Id(3)] public int? MaximumUses { get; set; }
    [Id(4)] public int Uses { get; set; }
    [Id(5)] public bool Revoked { get; set; }
}
