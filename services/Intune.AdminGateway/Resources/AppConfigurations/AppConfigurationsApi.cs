using System.Text.Json.Nodes;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Resources.AppConfigurations;

/// <summary><c>/v1.0/deviceAppManagement/mobileAppConfigurations</c>: CRUD, <c>assign</c> (204) and <c>assignments</c>.</summary>
public static class AppConfigurationsApi
{
    private const string ContextPath = "deviceAppManagement/mobileAppConfigurations";

    public static RouteGroupBuilder MapAppConfigurationsApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/deviceAppManagement/mobileAppConfigurations");
        group.MapGet("", async (HttpContext context, AppConfigurationService service) =>
        {
            var expand = context.Request.Query["$expand"].ToString() == "assignments";
            return GraphResults.Collection(context, ContextPath, (await service.ListAsync(context.CallerTenantId())).Select(c => (JsonNode?)AppConfigurationGraphMapping.Write(c, expand)));
        }).Is(AppConfigurationOperations.List);

        group.MapGet("/{id}", async (string id, HttpContext context, AppConfigurationService service) =>
            GraphResults.Entity(context, $"{ContextPath}/$entity", AppConfigurationGraphMapping.Write(await service.GetAsync(context.CallerTenantId(), id), context.Request.Query["$expand"].ToString() == "assignments")))
            .Is(AppConfigurationOperations.Get);

        group.MapPost("", async (HttpContext context, AppConfigurationService service, AuditRecorder audit) =>
        {
            var created = await service.CreateAsync(context.CallerTenantId(), await GraphRequestBody.ReadRequiredObjectAsync(context), audit);
            return GraphResults.Created(context, $"{ContextPath}/$entity", $"{ContextPath}/{created.Id}", AppConfigurationGraphMapping.Write(created, expandAssignments: false));
        }).Is(AppConfigurationOperations.Create);

        group.MapPatch("/{id}", async (string id, HttpContext context, AppConfigurationService service, AuditRecorder audit) =>
        {
            await service.UpdateAsync(context.CallerTenantId(), id, await GraphRequestBody.ReadRequiredObjectAsync(context), audit);
            return Results.NoContent();
        }).Is(AppConfigurationOperations.Update);

        group.MapDelete("/{id}", async (string id, HttpContext context, AppConfigurationService service, AuditRecorder audit) =>
        {
            await service.DeleteAsync(context.CallerTenantId(), id, audit);
            return Results.NoContent();
        }).Is(AppConfigurationOperations.Delete);

        group.MapPost("/{id}/assign", async (string id, HttpContext context, AppConfigurationService service, AuditRecorder audit) =>
        {
            await service.GetAsync(context.CallerTenantId(), id);
            await service.AssignAsync(context.CallerTenantId(), id, await GraphRequestBody.ReadRequiredObjectAsync(context), audit);
            return Results.NoContent();
        }).Is(AppConfigurationOperations.Assign);

        group.MapGet("/{id}/assignments", async (string id, HttpContext context, AppConfigurationService service) =>
            GraphResults.Collection(context, $"{ContextPath}('{id}')/assignments", AppConfigurationGraphMapping.WriteAssignments(await service.GetAsync(context.CallerTenantId(), id)).Select(a => a!.DeepClone())))
            .Is(AppConfigurationOperations.Get);
        return v1;
    }
}
