using Intune.Grains.Rbac;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Intune.AdminGateway.Auth;

/// <summary>
/// Scope-tag-aware visibility, the one rule every resource with <c>roleScopeTagIds</c> applies: the
/// caller reaches an object when one of its tags (none: Default, <c>0</c>) is among the tags of the
/// caller's role assignments; roles named in the token reach everything. An object out of reach is
/// left out of lists and answered 404 by id, as if it did not exist (Intune does not reveal it either).
/// </summary>
public sealed class AdminScope(IReadOnlySet<string>? reach)
{
    public static async Task<AdminScope> OfAsync(HttpContext context) =>
        new(await context.RequestServices.GetRequiredService<IPermissionResolver>().ResolveScopeTagsAsync(context.User, context.RequestAborted));

    /// <summary>Whether the caller reaches an object carrying <paramref name="tags"/>.</summary>
    public bool Reaches(IReadOnlyList<string>? tags) =>
        reach is null || (tags is { Count: > 0 } named ? named : [RoleScopeTag.DefaultId]).Any(reach.Contains);
}
