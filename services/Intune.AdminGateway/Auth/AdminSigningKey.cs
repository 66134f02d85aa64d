using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Intune.AdminGateway.Auth;

/// <summary>The development signing key, resolved once from <see cref="AdminAuthOptions"/>; none when an OIDC authority signs tokens.</summary>
public sealed record AdminSigningKey(SymmetricSecurityKey? Key)
{
    public static AdminSigningKey Resolve(AdminAuthOptions options, IHostEnvironment environment) =>
        new(options.Authority is null ? options.ResolveSigningKey(environment.ContentRootPath) : null);
}
