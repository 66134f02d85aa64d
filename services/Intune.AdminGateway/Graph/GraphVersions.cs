using Microsoft.AspNetCore.Http;

namespace Intune.AdminGateway.Graph;

/// <summary>
/// The Graph service roots the gateway serves: <c>/v1.0</c> and <c>/beta</c>, each with every
/// resource (admin tools call beta almost exclusively). Beta's shapes are a superset of v1.0's:
/// a mapping writes a beta-only property only when <see cref="IsBeta"/> says the request came
/// in under <c>/beta</c>. The version is read from the request path, so a <c>$batch</c>
/// sub-request (whose path the batch sets) gets its own batch's version.
/// </summary>
public static class GraphVersions
{
    public const string V1 = "v1.0";
    public const string Beta = "beta";

    public static readonly IReadOnlyList<string> All = [V1, Beta];

    /// <summary>The version segment of the request, <c>v1.0</c> unless its path starts with <c>/beta</c>.</summary>
    public static string Of(HttpContext context) => IsBeta(context) ? Beta : V1;

    public static bool IsBeta(HttpContext context) => context.Request.Path.StartsWithSegments("/" + Beta, StringComparison.OrdinalIgnoreCase);

    /// <summary>Properties Graph has in beta only: a v1.0 answer leaves them out (<see cref="GraphResults"/>), beta writes them.</summary>
    public static readonly IReadOnlySet<string> BetaOnlyProperties = new HashSet<string>(StringComparer.Ordinal) { "roleScopeTagIds" };

    /// <summary>The Graph version a path is under, or null when it is under neither root.</summary>
    public static string? Prefix(PathString path) => All.FirstOrDefault(v => path.StartsWithSegments("/" + v, StringComparison.OrdinalIgnoreCase));
}
