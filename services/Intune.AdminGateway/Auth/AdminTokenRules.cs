using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Intune.AdminGateway.Auth;

/// <summary>
/// What a signed, unexpired token must also satisfy before its caller is admitted: a <c>tid</c>
/// that is a tenant id in canonical form (it becomes the first segment of every grain key, so a
/// <c>/</c> or another spelling of the same GUID must never get through) and a lifetime no longer
/// than <see cref="AdminAuthOptions.MaxTokenLifetime"/>.
/// </summary>
public static class AdminTokenRules
{
    /// <returns>Why the token is refused, or null when it is accepted.</returns>
    public static string? Refusal(SecurityToken token, ClaimsPrincipal principal, AdminAuthOptions options)
    {
        var tenants = principal.FindAll(AdminClaims.TenantId).ToList();
        if (tenants.Count != 1 || !IsTenantId(tenants[0].Value))
        {
            return "The token's 'tid' claim must be one tenant id (a lower-case GUID).";
        }

        var issuedAt = token is JsonWebToken jwt && jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out _) ? jwt.IssuedAt : token.ValidFrom;
        if (issuedAt == DateTime.MinValue || token.ValidTo == DateTime.MinValue)
        {
            return "The token must carry 'iat' (or 'nbf') and 'exp'.";
        }

        if (token.ValidTo - issuedAt > options.MaxTokenLifetime)
        {
            return $"The token lives {token.ValidTo - issuedAt}; at most {options.MaxTokenLifetime} is accepted.";
        }

        return null;
    }

    /// <summary>A GUID in the form Entra ID writes tenant ids: 36 characters, lower case, hyphenated.</summary>
    public static bool IsTenantId(string? value) =>
        value is { Length: 36 } && Guid.TryParseExact(value, "D", out var id) && id.ToString() == value;
}
