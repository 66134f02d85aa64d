using Microsoft.IdentityModel.Tokens;

namespace Intune.AdminGateway.Auth;

/// <summary>
/// How admin bearer tokens are validated. In production point <see cref="Authority"/> at any
/// OIDC provider; locally a symmetric development key (cluster-config/local) signs tokens that
/// <c>intune-ops token</c> and the local host print.
/// </summary>
public sealed class AdminAuthOptions
{
    public const string SectionName = "AdminAuth";

    public string Issuer { get; set; } = "https://intune-cluster.local/dev";

    public string Audience { get; set; } = "https://graph.microsoft.com";

    /// <summary>OIDC authority whose published keys sign tokens; when set, the signing key is not used.</summary>
    public string? Authority { get; set; }

    /// <summary>Base64 HMAC-SHA256 key (at least 256 bits) for development tokens.</summary>
    public string? SigningKey { get; set; }

    /// <summary>File holding <see cref="SigningKey"/>; relative paths resolve from the content root.</summary>
    public string? SigningKeyFile { get; set; }

    public SymmetricSecurityKey? ResolveSigningKey(string contentRoot)
    {
        var material = SigningKey;
        if (string.IsNullOrWhiteSpace(material) && !string.IsNullOrWhiteSpace(SigningKeyFile))
        {
            var path = Path.IsPathRooted(SigningKeyFile) ? SigningKeyFile : FindUpwards(contentRoot, SigningKeyFile);
            material = File.ReadAllText(path).Trim();
        }

        return string.IsNullOrWhiteSpace(material) ? null : new SymmetricSecurityKey(Convert.FromBase64String(material));
    }

    /// <summary>Looks for a repository-relative path from the content root upwards (hosts run from their bin folder too).</summary>
    private static string FindUpwards(string start, string relative)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"AdminAuth:SigningKeyFile '{relative}' was not found from '{start}' upwards.");
    }
}
