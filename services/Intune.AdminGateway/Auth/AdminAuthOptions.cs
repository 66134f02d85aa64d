using Microsoft.IdentityModel.Tokens;

namespace Intune.AdminGateway.Auth;

/// <summary>
/// How admin bearer tokens are validated. Outside Development <see cref="Authority"/>,
/// <see cref="Issuer"/> and <see cref="Audience"/> name a real OIDC provider and no symmetric key
/// is configured (<see cref="AdminAuthOptionsValidator"/> refuses to start otherwise); locally a
/// symmetric development key (cluster-config/local) signs tokens that <c>intune-ops token</c> and
/// the local host print.
/// </summary>
public sealed class AdminAuthOptions
{
    public const string SectionName = "AdminAuth";

    /// <summary>The issuer of the local development tokens; refused outside Development.</summary>
    public const string DevelopmentIssuer = "https://intune-cluster.local/dev";

    /// <summary>Entra ID's longest configurable access-token lifetime.</summary>
    public static readonly TimeSpan LongestTokenLifetime = TimeSpan.FromDays(1);

    /// <summary>The only algorithm of the symmetric development key.</summary>
    public static readonly IReadOnlyList<string> DevelopmentAlgorithms = [SecurityAlgorithms.HmacSha256];

    /// <summary>Asymmetric algorithms an authority may sign with; HMAC is never accepted from one (a public key used as an HMAC secret forges tokens).</summary>
    public static readonly IReadOnlySet<string> AuthorityAlgorithmsAllowed = new HashSet<string>(StringComparer.Ordinal)
    {
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    };

    /// <summary>The <c>iss</c> every token must carry (the authority's issuer in production).</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> every token must carry: this service's application id URI.</summary>
    public string? Audience { get; set; }

    /// <summary>
    /// Longest accepted token lifetime (<c>exp</c> − <c>iat</c>); longer-lived tokens are refused
    /// even when signed, so a leaked token stops working within this time.
    /// </summary>
    public TimeSpan MaxTokenLifetime { get; set; } = LongestTokenLifetime;

    /// <summary>The <c>alg</c> values accepted from <see cref="Authority"/> (default RS256, Entra ID's).</summary>
    public string[]? SigningAlgorithms { get; set; }

    /// <summary>OIDC authority whose published keys sign tokens; when set, the signing key is not used.</summary>
    public string? Authority { get; set; }

    /// <summary>Base64 HMAC-SHA256 key (at least 256 bits) for development tokens.</summary>
    public string? SigningKey { get; set; }

    /// <summary>File holding <see cref="SigningKey"/>; relative paths resolve from the content root.</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>The algorithms a token may be signed with: HS256 for the development key, else the authority's.</summary>
    public IReadOnlyList<string> ValidAlgorithms() =>
        Authority is null ? DevelopmentAlgorithms : SigningAlgorithms is { Length: > 0 } configured ? configured : [SecurityAlgorithms.RsaSha256];

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
