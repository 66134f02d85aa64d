using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Resources.RoleScopeTags;

/// <summary>
/// <c>/beta/deviceManagement/roleScopeTags</c> (beta only, as in Graph): list, get, create (201),
/// PATCH (204), DELETE (204). Backup tools read this first and stop if it fails.
/// </summary>
public static class RoleScopeTagsApi
{
    private const string Collection = "deviceManagement/roleScopeTags";

    private static readonly Dictionary<string, Type> Types = new(StringComparer.Ordinal) { [RoleScopeTagService.ODataType] = typeof(RoleScopeTagBody) };

    public static RouteGroupBuilder MapRoleScopeTagsApi(this RouteGroupBuilder beta)
    {
        var tags = beta.MapGroup($"/{Collection}");
        // An admin sees the tags their assignments reach (all of them with a tenant-wide role).
        tags.MapGet("", async (HttpContext context, RoleScopeTagService service) =>
        {
            var scope = AdminScope.Current;
            var visible = (await service.ListAsync(context.CallerTenantId())).Where(t => scope.Reaches([t.Id]));
            return GraphResults.Collection(context, Collection, visible.Select(t => (JsonNode?)RoleScopeTagService.ToGraph(t)));
        }).Is(RoleScopeTagOperations.List);
        tags.MapGet("/{id}", async (string id, HttpContext context, RoleScopeTagService service) =>
        {
            var tag = await service.GetAsync(context.CallerTenantId(), id);
            return AdminScope.Current.Reaches([tag.Id])
                ? GraphResults.Entity(context, $"{Collection}/$entity", RoleScopeTagService.ToGraph(tag))
                : throw new Intune.Grains.Errors.NotFoundException($"No roleScopeTag with id '{id}' exists in this tenant.");
        }).Is(RoleScopeTagOperations.Get);
        tags.MapPost("", async (HttpContext context, RoleScopeTagService service, AuditRecorder audit) =>
        {
            var body = await GraphRequestBody.ReadAsync<RoleScopeTagBody>(context, Types, RoleScopeTagService.ODataType);
            var created = await service.CreateAsync(context.CallerTenantId(), body.DisplayName, body.Description, audit);
            return GraphResults.Created(context, $"{Collection}/$entity", $"{Collection}/{created.Id}", RoleScopeTagService.ToGraph(created));
        }).Is(RoleScopeTagOperations.Create);
        tags.MapPatch("/{id}", async (string id, HttpContext context, RoleScopeTagService service, AuditRecorder audit) =>
        {
            await service.GetAsync(context.CallerTenantId(), id);
            var body = await GraphRequestBody.ReadAsync<RoleScopeTagBody>(context, Types, RoleScopeTagService.ODataType);
            await service.UpdateAsync(context.CallerTenantId(), id, body.DisplayName, body.Description, audit);
            return Results.NoContent();
        }).Is(RoleScopeTagOperations.Update);
        tags.MapDelete("/{id}", async (string id, HttpContext context, RoleScopeTagService service, AuditRecorder audit) =>
        {
            await service.DeleteAsync(context.CallerTenantId(), id, audit);
            return Results.NoContent();
        }).Is(RoleScopeTagOperations.Delete);
        return beta;
    }

    public sealed class RoleScopeTagBody
    {
        [StringLength(256, ErrorMessage = "displayName is at most 256 characters.")]
        public string? DisplayName { get; set; }

        [StringLength(1024, ErrorMessage = "description is at most 1024 characters.")]
        public string? Description { get; set; }

        /// <summary>Sent back by tools that restore what they read; only false is accepted.</summary>
        [AllowedValues(false, null, ErrorMessage = "isBuiltIn cannot be true: only the Default scope tag is built in.")]
        public bool? IsBuiltIn { get; set; }

        /// <summary>Read-only in Graph; restore tools send what they read. Ignored.</summary>
        public string? Id { get; set; }
    }
}
