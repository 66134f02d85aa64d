using System.Text.Json.Nodes;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Resources.Users;

/// <summary>
/// <c>DELETE /v1.0/users/{userPrincipalName}</c> and <c>POST /v1.0/directory/deletedItems/{userPrincipalName}/restore</c>:
/// the directory events the built-in default compliance policy's "enrolled user exists" check
/// follows. Users are named by userPrincipalName, as group membership names them.
/// </summary>
public static class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder v1)
    {
        v1.MapDelete("/users/{userPrincipalName}", async (string userPrincipalName, HttpContext context, UserService users, AuditRecorder audit) =>
        {
            await users.DeleteAsync(context.CallerTenantId(), Uri.UnescapeDataString(userPrincipalName), audit);
            return Results.NoContent();
        }).Is(UserOperations.Delete);

        v1.MapPost("/directory/deletedItems/{userPrincipalName}/restore", async (string userPrincipalName, HttpContext context, UserService users, AuditRecorder audit) =>
        {
            var upn = Uri.UnescapeDataString(userPrincipalName);
            await users.RestoreAsync(context.CallerTenantId(), upn, audit);
            return GraphResults.Entity(context, "directoryObjects/$entity", new JsonObject
            {
                ["@odata.type"] = "#microsoft.graph.user",
                ["id"] = upn.ToLowerInvariant(),
                ["userPrincipalName"] = upn.ToLowerInvariant(),
            });
        }).Is(UserOperations.Restore);

        return v1;
    }
}
