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
    /// <summary>Every tag: calls from inside the service, which act for no admin.</summary>
    public static readonly AdminScope All = new(null);

    private static readonly AsyncLocal<AdminScope?> Ambient = new();

    /// <summary>
    /// The scope of the admin call in progress, set by each front's operation filter
    /// (<see cref="Operations.AdminOperationFilter"/>, <see cref="Operations.AdminOperationInterceptor"/>)
    /// right after the permission check, so application services apply it without each handler passing it.
    /// </summary>
    public static AdminScope Current => Ambient.Value ?? All;

    /// <summary>Sets <see cref="Current"/> for the rest of the caller's flow (call it from the filter's own body: an awaited method's change would not flow back).</summary>
    internal static void Enter(AdminScope scope) => Ambient.Value = scope;

    public static async Task<AdminScope> OfAsync(HttpContext context) =>
        new(await context.RequestServices.GetRequiredService<IPermissionResolver>().ResolveScopeTagsAsync(context.User, context.RequestAborted));

    /// <summary>Whether the caller reaches an object carrying <paramref name="tags"/>.</summary>
    public bool Reaches(IReadOnlyList<string>? tags) =>
        reach is null || (tags is { Count: > 0 } named ? named : [RoleScopeTag.DefaultId]).Any(reach.Contains);
}
