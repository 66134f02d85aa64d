using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Graph;

/// <summary>
/// <c>/v1.0/deviceManagement/deviceEnrollmentConfigurations</c>: the device limit per user and
/// platform restrictions, with Graph's polymorphic <c>@odata.type</c> bodies (read and written by
/// <see cref="EnrollmentConfigurationGraph"/>, shared with the gRPC admin API).
/// </summary>
public static class EnrollmentConfigurationsApi
{
    public static RouteGroupBuilder MapEnrollmentConfigurationsApi(this RouteGroupBuilder v1)
    {
        var configurations = v1.MapGroup("/deviceManagement/deviceEnrollmentConfigurations");
        configurations.MapGet("", ListAsync).RequirePermission(AdminPermissions.EnrollmentRead);
        configurations.MapGet("/{id}", GetAsync).RequirePermission(AdminPermissions.EnrollmentRead);
        configurations.MapPost("", CreateAsync).RequirePermission(AdminPermissions.EnrollmentWrite);
        configurations.MapPatch("/{id}", UpdateAsync).RequirePermission(AdminPermissions.EnrollmentWrite);
        configurations.MapDelete("/{id}", DeleteAsync).RequirePermission(AdminPermissions.EnrollmentWrite);
        configurations.MapPost("/{id}/assign", AssignAsync).RequirePermission(AdminPermissions.EnrollmentWrite);
        configurations.MapPost("/{id}/setPriority", SetPriorityAsync).RequirePermission(AdminPermissions.EnrollmentWrite);
        return v1;
    }

    private static async Task<IResult> ListAsync(HttpContext context, EnrollmentConfigurationService service)
    {
        var configurations = await service.ListAsync(context.User.GetTenantId()!);
        var body = new JsonObject
        {
            ["@odata.context"] = $"{BaseUrl(context)}/$metadata#deviceManagement/deviceEnrollmentConfigurations",
            ["value"] = new JsonArray(configurations.Select(c => (JsonNode)EnrollmentConfigurationGraph.ToJson(c)).ToArray()),
        };
        return Json(body);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, EnrollmentConfigurationService service)
    {
        var configuration = await service.GetAsync(context.User.GetTenantId()!, id);
        return configuration is null ? NotFound(id) : Json(WithContext(context, EnrollmentConfigurationGraph.ToJson(configuration)));
    }

    private static Task<IResult> CreateAsync(HttpContext context, EnrollmentConfigurationService service, AuditRecorder audit) =>
        WithBodyAsync(context, async json =>
        {
            var created = await service.CreateAsync(context.User.GetTenantId()!, json, audit);
            var location = $"{BaseUrl(context)}/deviceManagement/deviceEnrollmentConfigurations/{created.Id}";
            return new LocatedResult(
                Results.Text(WithContext(context, EnrollmentConfigurationGraph.ToJson(created)).ToJsonString(GraphJson.Options), GraphJson.ContentType, Encoding.UTF8, StatusCodes.Status201Created),
                location);
        });

    private static Task<IResult> UpdateAsync(string id, HttpContext context, EnrollmentConfigurationService service, AuditRecorder audit) =>
        WithBodyAsync(context, async json => await service.UpdateAsync(context.User.GetTenantId()!, id, json, audit) is null ? NotFound(id) : Results.NoContent());

    private static async Task<IResult> DeleteAsync(string id, HttpContext context, EnrollmentConfigurationService service, AuditRecorder audit)
    {
        try
        {
            return await service.DeleteAsync(context.User.GetTenantId()!, id, audit) ? Results.NoContent() : NotFound(id);
        }
        catch (AdminInputException ex)
        {
            return GraphErrors.BadRequest(ex.Message);
        }
    }

    private static Task<IResult> AssignAsync(string id, HttpContext context, EnrollmentConfigurationService service, AuditRecorder audit) =>
        WithBodyAsync(context, async json => await service.AssignAsync(context.User.GetTenantId()!, id, json, audit) ? Results.NoContent() : NotFound(id));

    private static Task<IResult> SetPriorityAsync(string id, HttpContext context, EnrollmentConfigurationService service, AuditRecorder audit) =>
        WithBodyAsync(context, async json =>
        {
            if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty("priority", out var priority) || priority.ValueKind != JsonValueKind.Number || !priority.TryGetInt32(out var value))
            {
                return GraphErrors.BadRequest("The body must be {\"priority\": <integer>}.");
            }

            return await service.SetPriorityAsync(context.User.GetTenantId()!, id, value, audit) ? Results.NoContent() : NotFound(id);
        });

    /// <summary>Parses the body and runs <paramref name="handler"/>; malformed JSON and the service's refusals are 400.</summary>
    private static async Task<IResult> WithBodyAsync(HttpContext context, Func<JsonElement, Task<IResult>> handler)
    {
        JsonElement json;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            json = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return GraphErrors.BadRequest($"The request body is not valid JSON: {ex.Message}");
        }

        try
        {
            return await handler(json);
        }
        catch (Exception ex) when (ex is AdminInputException or AdminPreconditionException)
        {
            return GraphErrors.BadRequest(ex.Message);
        }
    }

    private static JsonObject WithContext(HttpContext context, JsonObject body)
    {
        body.Insert(0, "@odata.context", $"{BaseUrl(context)}/$metadata#deviceManagement/deviceEnrollmentConfigurations/$entity");
        return body;
    }

    private static string BaseUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/v1.0";

    private static IResult Json(JsonObject body) => Results.Text(body.ToJsonString(GraphJson.Options), GraphJson.ContentType, Encoding.UTF8);

    private static IResult NotFound(string id) => GraphErrors.NotFound($"No deviceEnrollmentConfiguration with id '{id}' exists in this tenant.");

    /// <summary>A 201 with Graph's Location header.</summary>
    private sealed class LocatedResult(IResult inner, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.Headers.Location = location;
            return inner.ExecuteAsync(context);
        }
    }
}
