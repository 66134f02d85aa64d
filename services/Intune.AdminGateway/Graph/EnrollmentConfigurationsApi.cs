using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Auth;
using Intune.Grains.Tenants;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Graph;

/// <summary>
/// <c>/v1.0/deviceManagement/deviceEnrollmentConfigurations</c>: the device limit per user and
/// platform restrictions, with Graph's polymorphic <c>@odata.type</c> bodies.
/// </summary>
public static class EnrollmentConfigurationsApi
{
    public const string LimitType = "#microsoft.graph.deviceEnrollmentLimitConfiguration";
    public const string PlatformRestrictionsType = "#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration";

    private static readonly string[] RestrictionProperties = ["iosRestriction", "androidRestriction", "windowsRestriction", "macOSRestriction", "windowsMobileRestriction"];

    /// <summary>Read-only properties a client may echo back; they are ignored, as Graph does.</summary>
    private static readonly HashSet<string> ServerOwned = ["id", "createdDateTime", "lastModifiedDateTime", "version", "priority", "assignments@odata.context"];

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
            ["value"] = new JsonArray(configurations.Select(c => (JsonNode)ToJson(c)).ToArray()),
        };
        return Json(body);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, EnrollmentConfigurationService service)
    {
        var configuration = await service.GetAsync(context.User.GetTenantId()!, id);
        return configuration is null ? NotFound(id) : Json(WithContext(context, ToJson(configuration)));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, EnrollmentConfigurationService service)
    {
        var (json, error) = await ReadObjectAsync(context);
        if (error is not null)
        {
            return error;
        }

        var kind = json!.Value.TryGetProperty("@odata.type", out var type) && type.ValueKind == JsonValueKind.String
            ? KindOf(type.GetString())
            : null;
        if (kind is null)
        {
            return GraphErrors.BadRequest($"'@odata.type' is required and must be '{LimitType}' or '{PlatformRestrictionsType}'.");
        }

        if (!TryReadPatch(json!.Value, kind.Value, out var patch, out error))
        {
            return error!;
        }

        if (kind == EnrollmentConfigurationKind.Limit && patch.Limit is null)
        {
            return GraphErrors.BadRequest("'limit' is required for a deviceEnrollmentLimitConfiguration.");
        }

        var draft = new EnrollmentConfiguration
        {
            Id = string.Empty,
            Kind = kind.Value,
            DisplayName = patch.DisplayName,
            Description = patch.Description,
            Limit = patch.Limit ?? 0,
            IosRestriction = patch.IosRestriction ?? PlatformRestriction.None,
            AndroidRestriction = patch.AndroidRestriction ?? PlatformRestriction.None,
            WindowsRestriction = patch.WindowsRestriction ?? PlatformRestriction.None,
            MacOSRestriction = patch.MacOSRestriction ?? PlatformRestriction.None,
        };
        try
        {
            var created = await service.CreateAsync(context.User.GetTenantId()!, draft);
            var location = $"{BaseUrl(context)}/deviceManagement/deviceEnrollmentConfigurations/{created.Id}";
            return new LocatedResult(
                Results.Text(WithContext(context, ToJson(created)).ToJsonString(GraphJson.Options), GraphJson.ContentType, Encoding.UTF8, StatusCodes.Status201Created),
                location);
        }
        catch (EnrollmentConfigurationException ex)
        {
            return GraphErrors.BadRequest(ex.Message);
        }
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext context, EnrollmentConfigurationService service)
    {
        var (json, error) = await ReadObjectAsync(context);
        if (error is not null)
        {
            return error;
        }

        var tenantId = context.User.GetTenantId()!;
        var current = await service.GetAsync(tenantId, id);
        if (current is null)
        {
            return NotFound(id);
        }

        if (json!.Value.TryGetProperty("@odata.type", out var type) && (type.ValueKind != JsonValueKind.String || KindOf(type.GetString()) != current.Kind))
        {
            return GraphErrors.BadRequest($"'@odata.type' must be '{TypeOf(current.Kind)}' for this configuration.");
        }

        if (!TryReadPatch(json.Value, current.Kind, out var patch, out error))
        {
            return error!;
        }

        try
        {
            return await service.UpdateAsync(tenantId, id, patch) is null ? NotFound(id) : Results.NoContent();
        }
        catch (EnrollmentConfigurationException ex)
        {
            return GraphErrors.BadRequest(ex.Message);
        }
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext context, EnrollmentConfigurationService service)
    {
        try
        {
            return await service.DeleteAsync(context.User.GetTenantId()!, id) ? Results.NoContent() : NotFound(id);
        }
        catch (EnrollmentConfigurationException ex)
        {
            return GraphErrors.BadRequest(ex.Message);
        }
    }

    private static async Task<IResult> AssignAsync(string id, HttpContext context, EnrollmentConfigurationService service)
    {
        var (json, error) = await ReadObjectAsync(context);
        if (error is not null)
        {
            return error;
        }

        if (!json!.Value.TryGetProperty("enrollmentConfigurationAssignments", out var assignments) || assignments.ValueKind != JsonValueKind.Array)
        {
            return GraphErrors.BadRequest("The body must be {\"enrollmentConfigurationAssignments\":[{\"target\":{\"@odata.type\":\"…\"}}]}.");
        }

        var targets = new List<EnrollmentAssignmentTarget>();
        foreach (var assignment in assignments.EnumerateArray())
        {
            if (assignment.ValueKind != JsonValueKind.Object
                || !assignment.TryGetProperty("target", out var target)
                || target.ValueKind != JsonValueKind.Object
                || !target.TryGetProperty("@odata.type", out var targetType)
                || targetType.ValueKind != JsonValueKind.String)
            {
                return GraphErrors.BadRequest("Every assignment needs a 'target' object with an '@odata.type'.");
            }

            var groupId = target.TryGetProperty("groupId", out var group) && group.ValueKind == JsonValueKind.String ? group.GetString() : null;
            targets.Add(new EnrollmentAssignmentTarget(targetType.GetString()!, groupId));
        }

        try
        {
            return await service.AssignAsync(context.User.GetTenantId()!, id, targets) ? Results.NoContent() : NotFound(id);
        }
        catch (EnrollmentConfigurationException ex)
        {
            return GraphErrors.BadRequest(ex.Message);
        }
    }

    private static async Task<IResult> SetPriorityAsync(string id, HttpContext context, EnrollmentConfigurationService service)
    {
        var (json, error) = await ReadObjectAsync(context);
        if (error is not null)
        {
            return error;
        }

        if (!json!.Value.TryGetProperty("priority", out var priority) || priority.ValueKind != JsonValueKind.Number || !priority.TryGetInt32(out var value))
        {
            return GraphErrors.BadRequest("The body must be {\"priority\": <integer>}.");
        }

        try
        {
            return await service.SetPriorityAsync(context.User.GetTenantId()!, id, value) ? Results.NoContent() : NotFound(id);
        }
        catch (EnrollmentConfigurationException ex)
        {
            return GraphErrors.BadRequest(ex.Message);
        }
    }

    private static bool TryReadPatch(JsonElement json, EnrollmentConfigurationKind kind, out EnrollmentConfigurationPatch patch, out IResult? error)
    {
        patch = new EnrollmentConfigurationPatch();
        error = null;
        foreach (var property in json.EnumerateObject())
        {
            var name = property.Name;
            var value = property.Value;
            if (name == "@odata.type" || ServerOwned.Contains(name))
            {
                continue;
            }

            if (name is "displayName" or "description")
            {
                if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    error = GraphErrors.BadRequest($"'{name}' must be a string.");
                    return false;
                }

                patch = name == "displayName" ? patch with { DisplayName = value.GetString() } : patch with { Description = value.GetString() ?? string.Empty };
            }
            else if (name == "limit" && kind == EnrollmentConfigurationKind.Limit)
            {
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var limit))
                {
                    error = GraphErrors.BadRequest("'limit' must be an integer between 1 and 15.");
                    return false;
                }

                patch = patch with { Limit = limit };
            }
            else if (RestrictionProperties.Contains(name) && kind == EnrollmentConfigurationKind.PlatformRestrictions)
            {
                if (!TryReadRestriction(name, value, out var restriction, out error))
                {
                    return false;
                }

                patch = name switch
                {
                    "iosRestriction" => patch with { IosRestriction = restriction },
                    "androidRestriction" => patch with { AndroidRestriction = restriction },
                    "windowsRestriction" => patch with { WindowsRestriction = restriction },
                    "macOSRestriction" => patch with { MacOSRestriction = restriction },
                    // Windows Mobile can no longer enroll anywhere; the property is accepted and not stored.
                    _ => patch,
                };
            }
            else
            {
                error = GraphErrors.BadRequest($"'{name}' is not a property of {TypeOf(kind)[16..]}.");
                return false;
            }
        }

        return true;
    }

    private static bool TryReadRestriction(string name, JsonElement value, out PlatformRestriction restriction, out IResult? error)
    {
        restriction = PlatformRestriction.None;
        error = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            error = GraphErrors.BadRequest($"'{name}' must be a deviceEnrollmentPlatformRestriction object.");
            return false;
        }

        foreach (var property in value.EnumerateObject())
        {
            switch (property.Name)
            {
                case "@odata.type":
                    break;
                case "platformBlocked" or "personalDeviceEnrollmentBlocked" when property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    restriction = property.Name == "platformBlocked"
                        ? restriction with { PlatformBlocked = property.Value.GetBoolean() }
                        : restriction with { PersonalDeviceEnrollmentBlocked = property.Value.GetBoolean() };
                    break;
                case "osMinimumVersion" or "osMaximumVersion" when property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null:
                    var version = string.IsNullOrWhiteSpace(property.Value.GetString()) ? null : property.Value.GetString();
                    restriction = property.Name == "osMinimumVersion"
                        ? restriction with { OsMinimumVersion = version }
                        : restriction with { OsMaximumVersion = version };
                    break;
                default:
                    error = GraphErrors.BadRequest($"'{name}.{property.Name}' is not valid: a restriction has platformBlocked and personalDeviceEnrollmentBlocked (booleans), osMinimumVersion and osMaximumVersion (strings).");
                    return false;
            }
        }

        return true;
    }

    private static JsonObject ToJson(EnrollmentConfiguration configuration)
    {
        var json = new JsonObject
        {
            ["@odata.type"] = TypeOf(configuration.Kind),
            ["id"] = configuration.Id,
            ["displayName"] = configuration.DisplayName,
            ["description"] = configuration.Description,
            ["priority"] = configuration.Priority,
            ["createdDateTime"] = JsonSerializer.SerializeToNode(configuration.CreatedDateTime, GraphJson.Options),
            ["lastModifiedDateTime"] = JsonSerializer.SerializeToNode(configuration.LastModifiedDateTime, GraphJson.Options),
            ["version"] = configuration.Version,
        };
        if (configuration.Kind == EnrollmentConfigurationKind.Limit)
        {
            json["limit"] = configuration.Limit;
        }
        else
        {
            json["iosRestriction"] = ToJson(configuration.IosRestriction);
            json["windowsRestriction"] = ToJson(configuration.WindowsRestriction);
            json["windowsMobileRestriction"] = ToJson(PlatformRestriction.None);
            json["androidRestriction"] = ToJson(configuration.AndroidRestriction);
            json["macOSRestriction"] = ToJson(configuration.MacOSRestriction);
        }

        return json;
    }

    private static JsonObject ToJson(PlatformRestriction restriction) => new()
    {
        ["platformBlocked"] = restriction.PlatformBlocked,
        ["personalDeviceEnrollmentBlocked"] = restriction.PersonalDeviceEnrollmentBlocked,
        ["osMinimumVersion"] = restriction.OsMinimumVersion,
        ["osMaximumVersion"] = restriction.OsMaximumVersion,
    };

    private static EnrollmentConfigurationKind? KindOf(string? type) => type switch
    {
        LimitType => EnrollmentConfigurationKind.Limit,
        PlatformRestrictionsType => EnrollmentConfigurationKind.PlatformRestrictions,
        _ => null,
    };

    private static string TypeOf(EnrollmentConfigurationKind kind) => kind == EnrollmentConfigurationKind.Limit ? LimitType : PlatformRestrictionsType;

    private static async Task<(JsonElement? Json, IResult? Error)> ReadObjectAsync(HttpContext context)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (document.RootElement.Clone(), null)
                : (null, GraphErrors.BadRequest("The request body must be a JSON object."));
        }
        catch (JsonException ex)
        {
            return (null, GraphErrors.BadRequest($"The request body is not valid JSON: {ex.Message}"));
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
