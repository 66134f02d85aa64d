using Intune.AdminGateway.Audit;
using Intune.Grains.Tenants;
using Intune.Routing;

namespace Intune.AdminGateway.Application;

/// <summary>
/// Enrollment tokens for admins (create, list, revoke): the application layer the gRPC admin API
/// and the operators' CLI call. The secret appears only in the answer to create.
/// </summary>
public sealed class EnrollmentTokenService(IScaleUnitRouter router)
{
    public static readonly TimeSpan MaximumLifetime = TimeSpan.FromDays(365);

    /// <exception cref="ArgumentOutOfRangeException">The lifetime or maximum uses are out of range.</exception>
    public async Task<EnrollmentTokenInfo> CreateAsync(string tenantId, TimeSpan lifetime, int? maximumUses)
    {
        if (lifetime <= TimeSpan.Zero || lifetime > MaximumLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, $"An enrollment token lives more than zero and at most {MaximumLifetime.TotalDays:F0} days.");
        }

        if (maximumUses is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maximumUses), maximumUses, "Maximum uses, when set, must be at least 1.");
        }

        return await (await TenantAsync(tenantId)).CreateEnrollmentTokenAsync(lifetime, maximumUses);
    }

    public async Task<IReadOnlyList<EnrollmentTokenInfo>> ListAsync(string tenantId) =>
        await (await TenantAsync(tenantId)).ListEnrollmentTokensAsync();

    /// <summary>False when the tenant has no token with this id.</summary>
    public async Task<bool> RevokeAsync(string tenantId, string tokenId) =>
        await (await TenantAsync(tenantId)).RevokeEnrollmentTokenAsync(tokenId);

    /// <summary>Revokes as an admin call, describing the change for its audit event; false when the tenant has no token with this id.</summary>
    public async Task<bool> RevokeAsync(string tenantId, string tokenId, AuditRecorder audit)
    {
        audit.Describe("Revoke EnrollmentToken", "Action", "Enrollment");
        if (!await RevokeAsync(tenantId, tokenId))
        {
            return false;
        }

        audit.AddResource("EnrollmentToken", tokenId, tokenId, new Dictionary<string, bool> { ["revoked"] = false }, new Dictionary<string, bool> { ["revoked"] = true });
        return true;
    }

    private async Task<ITenantGrain> TenantAsync(string tenantId) =>
        (await router.ForTenantAsync(tenantId)).GetGrain<ITenantGrain>(tenantId);
}
