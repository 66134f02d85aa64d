using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Graph;
using Intune.Grains.Errors;
using Intune.Grains.Tenants;

namespace Intune.AdminGateway.Resources.EnrollmentConfigurations;

/// <summary>
/// Graph's shape of <c>deviceEnrollmentConfiguration</c> (polymorphic by <c>@odata.type</c>) read
/// into drafts and patches and written back. REST bodies and the gRPC admin API's
/// <c>google.protobuf.Struct</c> payloads both carry this shape, so one mapping serves both;
/// what it cannot accept raises <see cref="InvalidRequestException"/>.
/// </summary>
public static class EnrollmentConfigurationGraph
{
    public const string LimitType = "#microsoft.graph.deviceEnrollmentLimitConfiguration";
    public const string PlatformRestrictionsType = "#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration";

    private static readonly string[] RestrictionProperties = ["iosRestriction", "androidRestriction", "windowsRestriction", "macOSRestriction", "windowsMobileRestriction"];

    /// <summary>Read-only properties a client may echo back; they are ignored, as Graph does.</summary>
    private static readonly HashSet<string> ServerOwned = ["id", "createdDateTime", "lastModifiedDateTime", "version", "priority", "assignments@odata.context"];

    /// <summary>A new configuration from a POST body; <c>@odata.type</c> picks the kind.</summary>
    public static EnrollmentConfiguration ReadDraft(JsonElement json)
    {
        RequireObject(json);
        var kind = json.TryGetProperty("@odata.type", out var type) && type.ValueKind == JsonValueKind.String
            ? KindOf(type.GetString())
            : null;
        if (kind is null)
        {
            throw new InvalidRequestException($"'@odata.type' is required and must be '{LimitType}' or '{PlatformRestrictionsType}'.");
        }

        var patch = ReadPatch(json, kind.Value);
        if (kind == EnrollmentConfigurationKind.Limit && patch.Limit is null)
        {
            throw new InvalidRequestException("'limit' is required for a deviceEnrollmentLimitConfiguration.");
        }

        return new EnrollmentConfiguration
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
    }

    /// <summary>A PATCH body for a configuration of <paramref name="kind"/>; an <c>@odata.type</c>, when sent, must match it.</summary>
    public static EnrollmentConfigurationPatch ReadPatch(JsonElement json, EnrollmentConfigurationKind kind)
    {
        RequireObject(json);
        if (json.TryGetProperty("@odata.type", out var type) && (type.ValueKind != JsonValueKind.String || KindOf(type.GetString()) != kind))
        {
            throw new InvalidRequestException($"'@odata.type' must be '{TypeOf(kind)}' for this configuration.");
        }

        var patch = new EnrollmentConfigurationPatch();
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
                    throw new InvalidRequestException($"'{name}' must be a string.");
                }

                patch = name == "displayName" ? patch with { DisplayName = value.GetString() } : patch with { Description = value.GetString() ?? string.Empty };
            }
            else if (name == "limit" && kind == EnrollmentConfigurationKind.Limit)
            {
                patch = value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var limit)
                    ? patch with { Limit = limit }
                    : throw new InvalidRequestException("'limit' must be an integer between 1 and 15.");
            }
            else if (RestrictionProperties.Contains(name) && kind == EnrollmentConfigurationKind.PlatformRestrictions)
            {
                var restriction = ReadRestriction(name, value);
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
                throw new InvalidRequestException($"'{name}' is not a property of {TypeOf(kind)[16..]}.");
            }
        }

        return patch;
    }

    /// <summary>The targets of an <c>assign</c> body: <c>{"enrollmentConfigurationAssignments":[{"target":{...}}]}</c>.</summary>
    public static IReadOnlyList<EnrollmentAssignmentTarget> ReadAssignments(JsonElement json)
    {
        RequireObject(json);
        if (!json.TryGetProperty("enrollmentConfigurationAssignments", out var assignments) || assignments.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRequestException("The body must be {\"enrollmentConfigurationAssignments\":[{\"target\":{\"@odata.type\":\"…\"}}]}.");
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
                throw new InvalidRequestException("Every assignment needs a 'target' object with an '@odata.type'.");
            }

            var groupId = target.TryGetProperty("groupId", out var group) && group.ValueKind == JsonValueKind.String ? group.GetString() : null;
            targets.Add(new EnrollmentAssignmentTarget(targetType.GetString()!, groupId));
        }

        return targets;
    }

    public static JsonObject ToJson(EnrollmentConfiguration configuration)
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

    public static string TypeOf(EnrollmentConfigurationKind kind) => kind == EnrollmentConfigurationKind.Limit ? LimitType : PlatformRestrictionsType;

    private static PlatformRestriction ReadRestriction(string name, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return PlatformRestriction.None;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException($"'{name}' must be a deviceEnrollmentPlatformRestriction object.");
        }

        var restriction = PlatformRestriction.None;
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
                    throw new InvalidRequestException($"'{name}.{property.Name}' is not valid: a restriction has platformBlocked and personalDeviceEnrollmentBlocked (booleans), osMinimumVersion and osMaximumVersion (strings).");
            }
        }

        return restriction;
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

    private static void RequireObject(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException("The request body must be a JSON object.");
        }
    }
}
