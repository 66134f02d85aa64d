using System.Text.Json.Nodes;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Operations;
using Intune.Grains.Errors;
using Intune.Grains.Groups;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Resources.Groups;

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

        groups.MapGet("", async (HttpContext context, GroupService service) =>
            GraphResults.Collection(context, "groups", (await service.ListAsync(context.CallerTenantId())).Select(g => (JsonNode?)ToGraph(g))))
            .Is(GroupOperations.List);

        groups.MapGet("/{id}", async (string id, HttpContext context, GroupService service) =>
            GraphResults.Entity(context, "groups/$entity", ToGraph(await service.GetAsync(context.CallerTenantId(), id))))
            .Is(GroupOperations.Get);

        groups.MapPost("", async (HttpContext context, GroupService service, AuditRecorder audit) =>
        {
            var body = await GraphRequestBody.ReadRequiredObjectAsync(context);
            var group = await service.CreateAsync(context.CallerTenantId(), Text(body, "displayName"), Text(body, "description"), audit);
            return GraphResults.Created(context, "groups/$entity", $"groups/{group.Id}", ToGraph(group));
        }).Is(GroupOperations.Create);

        groups.MapDelete("/{id}", async (string id, HttpContext context, GroupService service, AuditRecorder audit) =>
        {
            await service.DeleteAsync(context.CallerTenantId(), id, audit);
            return Results.NoContent();
        }).Is(GroupOperations.Delete);

        groups.MapGet("/{id}/members", async (string id, HttpContext context, GroupService service) =>
        {
            var members = await service.MembersAsync(context.CallerTenantId(), id);
            return GraphResults.Collection(context, "directoryObjects", members.Devices
                .Select(d => (JsonNode?)new JsonObject { ["@odata.type"] = "#microsoft.graph.device", ["id"] = d })
                .Concat(members.Users.Select(u => (JsonNode?)new JsonObject { ["@odata.type"] = "#microsoft.graph.user", ["id"] = u, ["userPrincipalName"] = u })));
        }).Is(GroupOperations.ListMembers);

        groups.MapPost("/{id}/members/$ref", async (string id, HttpContext context, GroupService service, AuditRecorder audit) =>
        {
            // A missing group is 404 before the body is judged, as Graph answers.
            await service.GetAsync(context.CallerTenantId(), id);
            var body = await GraphRequestBody.ReadRequiredObjectAsync(context);
            await service.AddMembersAsync(context.CallerTenantId(), id, [ParseMemberReference(Text(body, "@odata.id"))], audit);
            return Results.NoContent();
        }).Is(GroupOperations.AddMembers);

        groups.MapDelete("/{id}/members/{memberId}/$ref", async (string id, string memberId, HttpContext context, GroupService service, AuditRecorder audit) =>
        {
            await service.RemoveMemberAsync(context.CallerTenantId(), id, Uri.UnescapeDataString(memberId), audit);
            return Results.NoContent();
        }).Is(GroupOperations.RemoveMember);

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
            throw new InvalidRequestException("The body must be {\"@odata.id\": \"https://graph.microsoft.com/v1.0/devices/{managedDeviceId}\"} or \".../users/{userPrincipalName}\".", "@odata.id");
        }

        var parts = reference.TrimEnd('/').Split('/');
        if (parts.Length < 2 || string.IsNullOrWhiteSpace(parts[^1]))
        {
            throw new InvalidRequestException($"'{reference}' does not name a member.", "@odata.id");
        }

        var id = Uri.UnescapeDataString(parts[^1]);
        return parts[^2] switch
        {
            "users" => GroupService.Member(GroupMemberKind.User, id),
            "devices" or "managedDevices" or "directoryObjects" when Guid.TryParse(id, out _) => GroupService.Member(GroupMemberKind.Device, id),
            _ => throw new InvalidRequestException($"'{reference}' does not name a device (…/devices/{{managedDeviceId}}) or a user (…/users/{{userPrincipalName}}).", "@odata.id"),
        };
    }

    private static string? Text(JsonObject body, string name) =>
        (body[name] as JsonValue)?.TryGetValue<string>(out var text) == true ? text : null;

    private static JsonObject ToGraph(GroupInfo group) => new()
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
}
