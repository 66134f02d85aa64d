using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using Intune.AdminGateway.Auth;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Intune.AdminGateway.Tests.Adversarial;

/// <summary>
/// Outside Development a host refuses to start with the repository's development key or without a
/// real authority, issuer and audience; configured properly it starts and refuses development tokens.
/// </summary>
[Trait("Category", "Adversarial")]
public sealed class ProductionModeTests
{
    [Fact]
    public async Task Production_WithTheLocalTopology_RefusesToStartNamingEachField()
    {
        await using var host = new ScaleUnitTestHost { Environment = "Production" };
        host.Settings["ScaleUnit:CertificateAuthorityKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);

        Assert.Contains(error.Failures, f => f.StartsWith("AdminAuth:Authority is required outside Development", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("is the repository's development key", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("is the development issuer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Production_WithTheDevelopmentKeyInline_RefusesToStart()
    {
        var key = File.ReadAllText(Path.Combine(RepositoryRoot(), "cluster-config/local/dev-admin-signing-key.txt")).Trim();
        await using var host = ProductionHost();
        host.Settings["AdminAuth:SigningKey"] = key;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);

        Assert.Contains(error.Failures, f => f.Contains("is the repository's development key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Production_WithoutACertificateAuthorityKey_RefusesToStart()
    {
        await using var host = ProductionHost();
        host.Settings["ScaleUnit:CertificateAuthorityKey"] = string.Empty;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);

        Assert.Contains(error.Failures, f => f.StartsWith("ScaleUnit:CertificateAuthorityKey is required outside Development", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("AdminAuth:MaxTokenLifetime", "30.00:00:00", "AdminAuth:MaxTokenLifetime")]
    [InlineData("AdminAuth:SigningAlgorithms:0", "HS256", "AdminAuth:SigningAlgorithms 'HS256'")]
    [InlineData("AdminAuth:Audience", "", "AdminAuth:Audience is required")]
    public async Task Production_WithABadField_RefusesToStartNamingIt(string key, string value, string expected)
    {
        await using var host = ProductionHost();
        host.Settings[key] = value;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);

        Assert.Contains(error.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Production_WithAnAuthority_StartsAndRefusesDevelopmentTokens()
    {
        await using var host = ProductionHost();
        await host.StartAsync();
        using var http = host.AdminClient(null);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentToken());

        var answer = await http.GetAsync("deviceManagement/managedDevices");

        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Null(host.Services.GetService<AdminTokenIssuer>());
    }

    /// <summary>Production settings as an operator gives them: an authority (nothing listens there, so no token validates), its issuer and audience, the key removed.</summary>
    private static ScaleUnitTestHost ProductionHost()
    {
        var host = new ScaleUnitTestHost { Environment = "Production" };
        host.Settings["AdminAuth:Authority"] = "https://127.0.0.1:9/contoso/v2.0";
        host.Settings["AdminAuth:Issuer"] = "https://127.0.0.1:9/contoso/v2.0";
        host.Settings["AdminAuth:Audience"] = "api://intune-cluster";
        host.Settings["AdminAuth:SigningKeyFile"] = string.Empty;
        host.Settings["ScaleUnit:CertificateAuthorityKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        return host;
    }

    private static string DevelopmentToken()
    {
        var key = new SymmetricSecurityKey(Convert.FromBase64String(File.ReadAllText(Path.Combine(RepositoryRoot(), "cluster-config/local/dev-admin-signing-key.txt")).Trim()));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://127.0.0.1:9/contoso/v2.0",
            Audience = "api://intune-cluster",
            Claims = new Dictionary<string, object> { [AdminClaims.TenantId] = Guid.NewGuid().ToString(), [AdminClaims.Roles] = new[] { BuiltInRoles.IntuneAdministrator } },
            Subject = new ClaimsIdentity([new Claim("sub", "mallory@contoso.example")]),
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Intune.Cluster.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("The repository root (Intune.Cluster.sln) was not found above the test binaries.");
    }
}
