using System.Globalization;
using Intune.AdminGateway.Audit;
using Intune.Grains.Errors;
using Intune.Grains.Tenants;
using Intune.Routing;

namespace Intune.AdminGateway.Resources.EnrollmentTokens;

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

    /// <summary>Creates a token as an admin call, recording it (not its secret) in the call's audit.</summary>
    /// <exception cref="NotFoundException">The tenant does not exist in this scale unit.</exception>
    public async Task<EnrollmentTokenInfo> CreateAsync(string tenantId, TimeSpan lifetime, int? maximumUses, AuditRecorder audit)
    {
        await ExistingTenantAsync(tenantId);
        var created = await CreateAsync(tenantId, lifetime, maximumUses);
        audit.AddResource("EnrollmentToken", created.TokenId, created.TokenId, null, new Dictionary<string, string> { ["expiresDateTime"] = created.ExpiresDateTime.ToString("O", CultureInfo.InvariantCulture) });
        return created;
    }

    public async Task<IReadOnlyList<EnrollmentTokenInfo>> ListAsync(string tenantId) =>
        await (await TenantAsync(tenantId)).ListEnrollmentTokensAsync();

    /// <summary>The tokens of a tenant that exists in this scale unit.</summary>
    /// <exception cref="NotFoundException">The tenant does not exist in this scale unit.</exception>
    public async Task<IReadOnlyList<EnrollmentTokenInfo>> ListExistingAsync(string tenantId) =>
        await (await ExistingTenantAsync(tenantId)).ListEnrollmentTokensAsync();

    /// <summary>False when the tenant has no token with this id.</summary>
    public async Task<bool> RevokeAsync(string tenantId, string tokenId) =>
        await (await TenantAsync(tenantId)).RevokeEnrollmentTokenAsync(tokenId);

    /// <summary>Revokes as an admin call, recording the change in the call's audit.</summary>
    /// <exception cref="NotFoundException">The tenant has no token with this id.</exception>
    public async Task RevokeAsync(string tenantId, string tokenId, AuditRecorder audit)
    {
        if (!await RevokeAsync(tenantId, tokenId))
        {
            throw new NotFoundException($"No enrollment token with id '{tokenId}' exists in this tenant.");
        }

        audit.AddResource("EnrollmentToken", tokenId, tokenId, new Dictionary<string, bool> { ["revoked"] = false }, new Dictionary<string, bool> { ["revoked"] = true });
    }

    private async Task<ITenantGrain> ExistingTenantAsync(string tenantId)
    {
        var tenant = await TenantAsync(tenantId);
        return await tenant.GetAsync() is null
            ? throw new NotFoundException($"Tenant '{tenantId}' does not exist in this scale unit.")
            : tenant;
    }

    private async Task<ITenantGrain> TenantAsync(string tenantId) =>
        (await router.ForTenantAsync(tenantId)).GetGrain<ITenantGrain>(tenantId);
}
