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
    /// </summary>
    [Alias("AdmitEnrollmentAsync")]
    Task AdmitEnrollmentAsync(string token, EnrollmentCandidate candidate);
}

/// <summary>Enrollment tokens carry their tenant so the gateway can route before any lookup.</summary>
public static class EnrollmentTokenFormat
{
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

        tenantId = token[..dot];
        return true;
    }
}
