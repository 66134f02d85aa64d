using System.Text.Json.Nodes;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Graph;

/// <summary>
/// <c>DELETE /v1.0/users/{userPrincipalName}</c> and <c>POST /v1.0/directory/deletedItems/{userPrincipalName}/restore</c>:
/// the directory events the built-in default compliance policy's "enrolled user exists" check
/// follows. Users are named by userPrincipalName, as group membership names them.
/// </summary>
public static class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder v1)
    {
        v1.MapDelete("/users/{userPrincipalName}", (string userPrincipalName, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            var upn = Uri.UnescapeDataString(userPrincipalName);
            return await admin.SetUserDeletedAsync(Tenant(context), upn, deleted: true)
                ? Results.NoContent()
                : GraphErrors.NotFound($"User '{upn}' is already deleted.");
        })).RequirePermission(AdminPermissions.GroupsWrite);

        v1.MapPost("/directory/deletedItems/{userPrincipalName}/restore", (string userPrincipalName, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            var upn = Uri.UnescapeDataString(userPrincipalName);
            return await admin.SetUserDeletedAsync(Tenant(context), upn, deleted: false)
                ? GraphResults.Entity(context, "directoryObjects/$entity", new JsonObject
                {
                    ["@odata.type"] = "#microsoft.graph.user",
                    ["id"] = upn.ToLowerInvariant(),
                    ["userPrincipalName"] = upn.ToLowerInvariant(),
                })
                : GraphErrors.NotFound($"No deleted user '{upn}' exists in this tenant.");
        })).RequirePermission(AdminPermissions.GroupsWrite);

        return v1;
    }

    private static string Tenant(HttpContext context) => context.User.GetTenantId()!;
}
