using Intune.AdminGateway.Auth;
using Intune.Grains.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Intune.AdminGateway.Operations;

/// <summary>The caller's permission check, the same for both fronts.</summary>
internal static class AdminPermissionCheck
{
    /// <exception cref="ForbiddenException">The caller's roles do not grant the permission.</exception>
    public static async Task DemandAsync(HttpContext context, string permission)
    {
        var granted = await context.RequestServices.GetRequiredService<IPermissionResolver>().ResolveAsync(context.User, context.RequestAborted);
        if (!granted.Contains(permission))
        {
            throw new ForbiddenException($"The caller's roles do not grant '{permission}'.");
        }
    }
}
