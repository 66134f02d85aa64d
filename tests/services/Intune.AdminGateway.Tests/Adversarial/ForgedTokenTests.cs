using System.Net;
using System.Security.Claims;
using Intune.AdminGateway.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Intune.AdminGateway.Tests.Adversarial;

/// <summary>
/// Tokens an attacker could bring to the admin gateway: every one refused with 401 in Graph's
/// envelope, on a host that accepts the properly signed development token beside them.
/// </summary>
[Trait("Category", "Adversarial")]
public sealed class ForgedTokenTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private static readonly string TenantId = Guid.NewGuid().ToString();

    private ScaleUnitTestHost Host => fixture.Host;

    public static TheoryData<string> Forgeries() =>
    [
        "tid-with-slash", "tid-upper-case", "tid-missing", "tid-twice", "lifetime-two-days", "no-expiry",
        "expired", "alg-swapped", "unsigned", "wrong-key", "wrong-issuer", "wrong-audience",
    ];

    [Fact]
    public async Task ProperlySignedToken_IsAccepted()
    {
        using var admin = Host.AdminClient(Forge("valid"));

        var answer = await admin.GetAsync("deviceManagement/managedDevices");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task ForgedToken_Is401InGraphsEnvelope(string forgery)
    {
        using var admin = Host.AdminClient(Forge(forgery));

        var answer = await admin.GetAsync("deviceManagement/managedDevices");
        var body = await answer.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Contains("\"InvalidAuthenticationToken\"", body, StringComparison.Ordinal);
    }

    private string Forge(string forgery)
    {
        var options = Host.Services.GetRequiredService<AdminAuthOptions>();
        var key = Host.Services.GetRequiredService<AdminSigningKey>().Key!;
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            [AdminClaims.TenantId] = forgery switch
            {
                "tid-with-slash" => $"{TenantId}/x",
                "tid-upper-case" => TenantId.ToUpperInvariant(),
                "tid-twice" => new[] { TenantId, Guid.NewGuid().ToString() },
                _ => TenantId,
            },
            [AdminClaims.Roles] = new[] { BuiltInRoles.IntuneAdministrator },
        };
        if (forgery == "tid-missing")
        {
            claims.Remove(AdminClaims.TenantId);
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = forgery == "wrong-issuer" ? "https://attacker.example" : options.Issuer,
            Audience = forgery == "wrong-audience" ? "https://attacker.example" : options.Audience,
            Claims = claims,
            Subject = new ClaimsIdentity([new Claim("sub", "mallory@contoso.example")]),
            IssuedAt = forgery == "expired" ? now.AddHours(-2) : now,
            NotBefore = forgery == "expired" ? now.AddHours(-2) : now,
            Expires = forgery switch
            {
                "expired" => now.AddHours(-1),
                "lifetime-two-days" => now.AddDays(2),
                _ => now.AddHours(1),
            },
            SigningCredentials = forgery switch
            {
                "unsigned" => null,
                "wrong-key" => new SigningCredentials(new SymmetricSecurityKey(new byte[32]), SecurityAlgorithms.HmacSha256),
                _ => new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
            },
        };
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = forgery != "no-expiry" };
        if (forgery == "no-expiry")
        {
            descriptor.Expires = null;
        }

        var token = handler.CreateToken(descriptor);
        if (forgery == "alg-swapped")
        {
            // The header names another algorithm than the one that signed it: the pinned list refuses it.
            var header = Base64UrlEncoder.Encode("{\"alg\":\"HS512\",\"typ\":\"JWT\"}");
            token = header + token[token.IndexOf('.', StringComparison.Ordinal)..];
        }

        return token;
    }
}
