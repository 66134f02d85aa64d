using Orleans.Concurrency;

namespace Intune.Grains.Tenants;

/// <summary>
/// An organisation, keyed by tenant id: settings, enrollment tokens and (in later work) the
/// catalog of policies. Never on the device check-in path.
/// </summary>
[Alias("intune.ITenantGrain")]
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Creates the tenant if it does not exist; idempotent for the same name and region.</summary>
    [Alias("CreateAsync")]
    Task<TenantInfo> CreateAsync(string displayName, string region);

    /// <summary>The tenant, or null when it was never created.</summary>
    [Alias("GetAsync")]
    Task<TenantInfo?> GetAsync();

    /// <summary>Creates an enrollment token; the returned record is the only place its secret appears.</summary>
    [Alias("CreateEnrollmentTokenAsync")]
    Task<EnrollmentTokenInfo> CreateEnrollmentTokenAsync(TimeSpan lifetime, int? maximumUses);

    [Alias("ListEnrollmentTokensAsync")]
    Task<IReadOnlyList<EnrollmentTokenInfo>> ListEnrollmentTokensAsync();

    /// <summary>
    /// Checks the token and the tenant's enrollment rules and, when they pass, counts one use of
    /// the token. Throws <see cref="EnrollmentRefusedException"/> and changes nothing otherwise.
    /// Interleaves: the checks and the count run in one turn. A token with a maximum is written
    /// before the call returns, the write shared with the admissions in flight (group commit); a
    /// token without one is counted in memory and written within half a minute, so those
    /// enrollments cost the tenant no storage request.
    /// </summary>
    [AlwaysInterleave]
    [Alias("AdmitEnrollmentAsync")]
    Task AdmitEnrollmentAsync(string token, EnrollmentCandidate candidate);

    /// <summary>
    /// Gives back the token use an admission counted when the device could not be created after
    /// it, so a failed enrollment does not spend a token's limited uses. Interleaves, as admissions.
    /// </summary>
    [AlwaysInterleave]
    [Alias("ReturnEnrollmentTokenUseAsync")]
    Task ReturnEnrollmentTokenUseAsync(string token);

    /// <summary>
    /// Runs every check of <see cref="AdmitEnrollmentAsync"/> without counting a token use, and
    /// answers the device limit that applies. Writes nothing.
    /// </summary>
    [AlwaysInterleave]
    [Alias("EvaluateEnrollmentAsync")]
    Task<EnrollmentAdmission> EvaluateEnrollmentAsync(string token, EnrollmentCandidate candidate);

    /// <summary>Revokes a token: later enrollments with it are refused. False when no such token exists.</summary>
    [Alias("RevokeEnrollmentTokenAsync")]
    Task<bool> RevokeEnrollmentTokenAsync(string tokenId);

    /// <summary>The tenant's enrollment restrictions, the built-in defaults included, by kind then priority.</summary>
    [Alias("ListEnrollmentConfigurationsAsync")]
    Task<IReadOnlyList<EnrollmentConfiguration>> ListEnrollmentConfigurationsAsync();

    /// <summary>The groups the tenant's enrollment restrictions are assigned to (include or exclude); empty for an unknown tenant.</summary>
    [AlwaysInterleave]
    [Alias("GetEnrollmentRestrictionGroupIdsAsync")]
    Task<IReadOnlyList<string>> GetEnrollmentRestrictionGroupIdsAsync();

    /// <summary>Creates a restriction with the next free priority; the id and dates are the tenant's.</summary>
    [Alias("CreateEnrollmentConfigurationAsync")]
    Task<EnrollmentConfiguration> CreateEnrollmentConfigurationAsync(EnrollmentConfiguration configuration);

    /// <summary>Null when no such configuration exists.</summary>
    [Alias("UpdateEnrollmentConfigurationAsync")]
    Task<EnrollmentConfiguration?> UpdateEnrollmentConfigurationAsync(string id, EnrollmentConfigurationPatch patch);

    /// <summary>False when no such configuration exists; the built-in defaults cannot be deleted.</summary>
    [Alias("DeleteEnrollmentConfigurationAsync")]
    Task<bool> DeleteEnrollmentConfigurationAsync(string id);

    /// <summary>Replaces the configuration's assignments. False when no such configuration exists.</summary>
    [Alias("AssignEnrollmentConfigurationAsync")]
    Task<bool> AssignEnrollmentConfigurationAsync(string id, IReadOnlyList<EnrollmentAssignmentTarget> targets);

    /// <summary>Moves a configuration to <paramref name="priority"/> (1 = evaluated first), shifting the others of its kind.</summary>
    [Alias("SetEnrollmentConfigurationPriorityAsync")]
    Task<bool> SetEnrollmentConfigurationPriorityAsync(string id, int priority);
}

/// <summary>Enrollment tokens carry their tenant so the gateway can route before any lookup.</summary>
public static class EnrollmentTokenFormat
{
    /// <summary>A tenant id (36), the dot and the 48-character secret, with room to spare; longer tokens are refused unread.</summary>
    public const int MaxLength = 128;

    public static string Compose(string tenantId, string secret) => $"{tenantId}.{secret}";

    public static bool TryGetTenantId(string? token, out string tenantId)
    {
        tenantId = string.Empty;
        if (string.IsNullOrWhiteSpace(token))
        {
            return false;
        }

        var dot = token.IndexOf('.');
        if (dot <= 0 || dot == token.Length - 1)
        {
            return false;
        }

        // Only a tenant id in canonical form: any other value would activate a grain (and a
        // never-evicted cache entry) per distinct string an attacker sends.
        var candidate = token[..dot];
        if (token.Length > MaxLength || !(Guid.TryParseExact(candidate, "D", out var id) && id.ToString() == candidate))
        {
            return false;
        }

        tenantId = candidate;
        return true;
    }
}
