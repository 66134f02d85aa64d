using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Operations;
using Intune.Grains.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Resources.EnrollmentConfigurations;

/// <summary>
/// <c>/v1.0/deviceManagement/deviceEnrollmentConfigurations</c>: the device limit per user and
/// platform restrictions, with Graph's polymorphic <c>@odata.type</c> bodies (read and written by
/// <see cref="EnrollmentConfigurationGraph"/>, shared with the gRPC admin API).
/// </summary>
public static class EnrollmentConfigurationsApi
{
    private const string Collection = "deviceManagement/deviceEnrollmentConfigurations";

    public static RouteGroupBuilder MapEnrollmentConfigurationsApi(this RouteGroupBuilder v1)
    {
        var configurations = v1.MapGroup("/deviceManagement/deviceEnrollmentConfigurations");
        configurations.MapGet("", ListAsync).Is(EnrollmentConfigurationOperations.List);
        configurations.MapGet("/{id}", GetAsync).Is(EnrollmentConfigurationOperations.Get);
        configurations.MapPost("", CreateAsync).Is(EnrollmentConfigurationOperations.Create);
        configurations.MapPatch("/{id}", UpdateAsync).Is(EnrollmentConfigurationOperations.Update);
        configurations.MapDelete("/{id}", DeleteAsync).Is(EnrollmentConfigurationOperations.Delete);
        configurations.MapPost("/{id}/assign", AssignAsync).Is(EnrollmentConfigurationOperations.Assign);
        configurations.MapPost("/{id}/setPriority", SetPriorityAsync).Is(EnrollmentConfigurationOperations.SetPriority);
        configurations.MapGet("/{id}/assignments", AssignmentsAsync).Is(EnrollmentConfigurationOperations.Get);
        return v1;
    }

    private static async Task<IResult> ListAsync(HttpContext context, EnrollmentConfigurationService service) =>
        GraphResults.Collection(context, Collection, (await service.ListAsync(context.CallerTenantId())).Select(c => (JsonNode?)EnrollmentConfigurationGraph.ToJson(c)));

    private static async Task<IResult> GetAsync(string id, HttpContext context, EnrollmentConfigurationService service) =>
        GraphResults.Entity(context, $"{Collection}/$entity", EnrollmentConfigurationGraph.ToJson(await service.GetAsync(context.CallerTenantId(), id)));

    private static async Task<IResult> CreateAsync(HttpContext context, EnrollmentConfigurationService service, AuditRecorder audit)
    {
        var created = await service.CreateAsync(context.CallerTenantId(), await BodyAsync(context), audit);
        return GraphResults.Created(context, $"{Collection}/$entity", $"{Collection}/{created.Id}", EnrollmentConfigurationGraph.ToJson(created));
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext context, EnrollmentConfigurationService service, AuditRecorder audit)
    {
        await service.UpdateAsync(context.CallerTenantId(), id, await BodyAsync(context), audit);
        return Results.NoContent();
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext context, EnrollmentConfigurationService service, AuditRecorder audit)
    {
        await service.DeleteAsync(context.CallerTenantId(), id, audit);
        return Results.NoContent();
    }

    private static async Task<IResult> AssignAsync(string id, HttpContext context, EnrollmentConfigurationService service, AuditRecorder audit)
    {
        await service.AssignAsync(context.CallerTenantId(), id, await BodyAsync(context), audit);
        return Results.NoContent();
    }

    /// <summary>What <c>assign</c> set, as <c>enrollmentConfigurationAssignment</c>s (backup tools read every object's assignments).</summary>
    private static async Task<IResult> AssignmentsAsync(string id, HttpContext context, EnrollmentConfigurationService service)
    {
        var configuration = await service.GetAsync(context.CallerTenantId(), id);
        return GraphResults.Collection(context, $"{Collection}('{id}')/assignments", configuration.Assignments.Select((a, i) => (JsonNode?)new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.enrollmentConfigurationAssignment",
            ["id"] = $"{id}_{i}",
            ["target"] = a.GroupId is null
                ? new JsonObject { ["@odata.type"] = a.ODataType }
                : new JsonObject { ["@odata.type"] = a.ODataType, ["groupId"] = a.GroupId },
        }));
    }

    private static async Task<IResult> SetPriorityAsync(string id, HttpContext context, EnrollmentConfigurationService service, AuditRecorder audit)
    {
        var body = await GraphRequestBody.ReadRequiredObjectAsync(context);
        if (body["priority"] is not JsonValue priority || priority.GetValueKind() != JsonValueKind.Number || !priority.TryGetValue<int>(out var value))
        {
            throw new InvalidRequestException("The body must be {\"priority\": <integer>}.", "priority");
        }

        await service.SetPriorityAsync(context.CallerTenantId(), id, value, audit);
        return Results.NoContent();
    }

    /// <summary>The body in the shape <see cref="EnrollmentConfigurationGraph"/> reads, shared with the gRPC front's Struct payloads.</summary>
    private static async Task<JsonElement> BodyAsync(HttpContext context) =>
        JsonSerializer.SerializeToElement(await GraphRequestBody.ReadRequiredObjectAsync(context), GraphJson.Options);
}
