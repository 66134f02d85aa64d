using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Intune.AdminGateway.Auth;

/// <summary>Signs development admin tokens with the local key, shaped like Entra ID access tokens.</summary>
public sealed class AdminTokenIssuer(AdminAuthOptions options, SymmetricSecurityKey key, TimeProvider time)
{
    public string Issue(string tenantId, IEnumerable<string> roles, string userPrincipalName, TimeSpan lifetime)
    {
        if (lifetime <= TimeSpan.Zero || lifetime > options.MaxTokenLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, $"A token lives at most AdminAuth:MaxTokenLifetime ({options.MaxTokenLifetime}); the gateway refuses longer ones.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>
        {
            [AdminClaims.TenantId] = tenantId,
            [AdminClaims.Roles] = roles.ToArray(),
            [AdminClaims.UserPrincipalName] = userPrincipalName,
            [AdminClaims.ObjectId] = Guid.NewGuid().ToString(),
        };
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Claims = claims,
            Subject = new ClaimsIdentity([new Claim("sub", userPrincipalName)]),
            IssuedAt = now,
            NotBefore = now.AddMinutes(-1),
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
