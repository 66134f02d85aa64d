using System.Text.Json.Nodes;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Auth;
using Intune.Grains.Groups;
using Intune.Grains.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Graph;

/// <summary>
/// <c>/v1.0/groups</c>: static groups of devices and users, in Graph's shapes. Members are added
/// with <c>POST /groups/{id}/members/$ref {"@odata.id": ".../devices/{managedDeviceId}"}</c> or
/// <c>".../users/{userPrincipalName}"</c> and removed with <c>DELETE /groups/{id}/members/{memberId}/$ref</c>.
/// </summary>
public static class GroupsApi
{
    public static RouteGroupBuilder MapGroupsApi(this RouteGroupBuilder v1)
    {
        var groups = v1.MapGroup("/groups");

        groups.MapGet("", (HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
            GraphResults.Collection(context, "groups", (await admin.ListGroupsAsync(Tenant(context))).Select(g => (JsonNode)Write(g)))))
            .RequirePermission(AdminPermissions.GroupsRead);

        groups.MapGet("/{id}", (string id, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
            GraphResults.Entity(context, "groups/$entity", Write(await admin.FindGroupAsync(Tenant(context), id)))))
            .RequirePermission(AdminPermissions.GroupsRead);

        groups.MapPost("", (HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            var body = await GraphResults.ReadBodyAsync(context);
            var displayName = (body["displayName"] as JsonValue)?.TryGetValue<string>(out var name) == true ? name : null;
            var description = (body["description"] as JsonValue)?.TryGetValue<string>(out var d) == true ? d : null;
            var group = await admin.CreateGroupAsync(Tenant(context), displayName, description);
            context.Response.Headers.Location = $"{GraphResults.BaseUrl(context)}/groups/{group.Id}";
            return GraphResults.Entity(context, "groups/$entity", Write(group), StatusCodes.Status201Created);
        })).RequirePermission(AdminPermissions.GroupsWrite);

        groups.MapDelete("/{id}", (string id, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            await admin.DeleteGroupAsync(Tenant(context), id);
            return Results.NoContent();
        })).RequirePermission(AdminPermissions.GroupsWrite);

        groups.MapGet("/{id}/members", (string id, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            var members = await admin.GroupMembersAsync(Tenant(context), id);
            return GraphResults.Collection(context, "directoryObjects", members.Devices
                .Select(d => (JsonNode)new JsonObject { ["@odata.type"] = "#microsoft.graph.device", ["id"] = d })
                .Concat(members.Users.Select(u => (JsonNode)new JsonObject { ["@odata.type"] = "#microsoft.graph.user", ["id"] = u, ["userPrincipalName"] = u })));
        })).RequirePermission(AdminPermissions.GroupsRead);

        groups.MapPost("/{id}/members/$ref", (string id, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            await admin.FindGroupAsync(Tenant(context), id);
            var body = await GraphResults.ReadBodyAsync(context);
            var member = ParseMemberReference((body["@odata.id"] as JsonValue)?.TryGetValue<string>(out var reference) == true ? reference : null);
            await admin.AddGroupMembersAsync(Tenant(context), id, [member]);
            return Results.NoContent();
        })).RequirePermission(AdminPermissions.GroupsWrite);

        groups.MapDelete("/{id}/members/{memberId}/$ref", (string id, string memberId, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            await admin.RemoveGroupMemberAsync(Tenant(context), id, Uri.UnescapeDataString(memberId));
            return Results.NoContent();
        })).RequirePermission(AdminPermissions.GroupsWrite);

        return v1;
    }

    /// <summary>
    /// <c>…/devices/{id}</c>, <c>…/managedDevices/{id}</c> and <c>…/directoryObjects/{guid}</c> name a device;
    /// <c>…/users/{userPrincipalName}</c> names a user.
    /// </summary>
    internal static GroupMember ParseMemberReference(string? reference)
    {
        if (string.IsNullOrWhiteSpace(reference))
        {
            throw new PolicyValidationException("The body must be {\"@odata.id\": \"https://graph.microsoft.com/v1.0/devices/{managedDeviceId}\"} or \".../users/{userPrincipalName}\".");
        }

        var parts = reference.TrimEnd('/').Split('/');
        if (parts.Length < 2 || string.IsNullOrWhiteSpace(parts[^1]))
        {
            throw new PolicyValidationException($"'{reference}' does not name a member.");
        }

        var id = Uri.UnescapeDataString(parts[^1]);
        return parts[^2] switch
        {
            "users" => PolicyAdministration.Member(GroupMemberKind.User, id),
            "devices" or "managedDevices" or "directoryObjects" when Guid.TryParse(id, out _) => PolicyAdministration.Member(GroupMemberKind.Device, id),
            _ => throw new PolicyValidationException($"'{reference}' does not name a device (…/devices/{{managedDeviceId}}) or a user (…/users/{{userPrincipalName}})."),
        };
    }

    private static JsonObject Write(GroupInfo group) => new()
    {
        ["@odata.type"] = "#microsoft.graph.group",
        ["id"] = group.Id,
        ["displayName"] = group.DisplayName,
        ["description"] = group.Description,
        ["createdDateTime"] = GraphResults.Date(group.CreatedDateTime),
        ["groupTypes"] = new JsonArray(),
        ["securityEnabled"] = true,
        ["mailEnabled"] = false,
    };

    private static string Tenant(HttpContext context) => context.User.GetTenantId()!;
}
