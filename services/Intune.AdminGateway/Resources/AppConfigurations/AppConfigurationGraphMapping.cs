using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Resources.Policies;
using Intune.Grains.Apps;
using Intune.Grains.Errors;

namespace Intune.AdminGateway.Resources.AppConfigurations;

/// <summary>Graph JSON ↔ app configurations (<c>iosMobileAppConfiguration</c>, <c>androidManagedStoreAppConfiguration</c>).</summary>
public static class AppConfigurationGraphMapping
{
    public const string Ios = "iosMobileAppConfiguration";
    public const string Android = "androidManagedStoreAppConfiguration";

    private static readonly string[] KeyTypes = ["stringType", "integerType", "realType", "booleanType", "tokenType"];

    private static readonly HashSet<string> ReadOnly = ["id", "createdDateTime", "lastModifiedDateTime", "version", "roleScopeTagIds", "assignments", "appSupportsOemConfig"];

    /// <summary>Reads a POST or PATCH body into a definition; on PATCH the existing one supplies what the body leaves out.</summary>
    public static AppConfigurationDefinition Read(JsonObject body, AppConfigurationDefinition? existing)
    {
        var typeName = (body["@odata.type"] as JsonValue)?.TryGetValue<string>(out var t) == true ? t.Replace("#microsoft.graph.", string.Empty, StringComparison.Ordinal) : null;
        var type = typeName ?? existing?.ODataType ?? throw new InvalidRequestException("@odata.type is required, e.g. \"#microsoft.graph.iosMobileAppConfiguration\".", "@odata.type");
        if (type is not (Ios or Android))
        {
            throw new InvalidRequestException($"'{typeName}' is not a supported managedDeviceMobileAppConfiguration type; supported: #microsoft.graph.{Ios}, #microsoft.graph.{Android}.", "@odata.type");
        }

        if (existing is not null && existing.ODataType != type)
        {
            throw new InvalidRequestException($"The configuration is a {existing.ODataType}; its @odata.type cannot change.", "@odata.type");
        }

        var definition = existing ?? new AppConfigurationDefinition { Id = string.Empty, ODataType = type, DisplayName = string.Empty };
        foreach (var (name, value) in body)
        {
            if (name.StartsWith('@') || name.Contains("@odata.", StringComparison.Ordinal) || ReadOnly.Contains(name))
            {
                continue;
            }

            definition = (name, type) switch
            {
                ("displayName", _) => definition with { DisplayName = Text(name, value) ?? throw new InvalidRequestException("displayName cannot be null.", name) },
                ("description", _) => definition with { Description = Text(name, value) },
                ("targetedMobileApps", _) => definition with { TargetedMobileApps = (value as JsonArray ?? throw new InvalidRequestException("targetedMobileApps must be an array of app ids.", name)).Select(a => Text(name, a) ?? string.Empty).ToList() },
                ("settings", Ios) => definition with { SettingsJson = Settings(value) },
                ("encodedSettingXml", Ios) => definition with { SettingXml = Xml(value) },
                ("packageId", Android) => definition with { PackageId = Text(name, value) },
                ("payloadJson", Android) => definition with { PayloadJson = Payload(value) },
                ("permissionActions" or "profileApplicability" or "connectedAppsEnabled", Android) => definition,
                _ => throw new InvalidRequestException($"'{name}' is not a property of {type}.", name),
            };
        }

        if (string.IsNullOrWhiteSpace(definition.DisplayName))
        {
            throw new InvalidRequestException("displayName is required.", "displayName");
        }

        if (definition.TargetedMobileApps.Count == 0)
        {
            throw new InvalidRequestException("targetedMobileApps must name at least one app of this tenant.", "targetedMobileApps");
        }

        return definition;
    }

    private static string? Settings(JsonNode? value)
    {
        if (value is null)
        {
            return null;
        }

        var items = value as JsonArray ?? throw new InvalidRequestException("settings must be an array of appConfigurationSettingItem.", "settings");
        foreach (var item in items)
        {
            var key = Text("appConfigKey", item?["appConfigKey"]);
            var keyType = Text("appConfigKeyType", item?["appConfigKeyType"]);
            if (string.IsNullOrWhiteSpace(key) || keyType is null || !KeyTypes.Contains(keyType))
            {
                throw new InvalidRequestException($"Each setting needs an appConfigKey and an appConfigKeyType ({string.Join(", ", KeyTypes)}).", "settings");
            }
        }

        return new JsonArray(items.Select(i => (JsonNode)new JsonObject
        {
            ["appConfigKey"] = i!["appConfigKey"]!.DeepClone(),
            ["appConfigKeyType"] = i["appConfigKeyType"]!.DeepClone(),
            ["appConfigKeyValue"] = i["appConfigKeyValue"]?.DeepClone(),
        }).ToArray()).ToJsonString();
    }

    private static string? Xml(JsonNode? value)
    {
        if (Text("encodedSettingXml", value) is not { } text)
        {
            return null;
        }

        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written)
            ? Encoding.UTF8.GetString(buffer, 0, written)
            : throw new InvalidRequestException("encodedSettingXml must be the plist XML as base64.", "encodedSettingXml");
    }

    private static string? Payload(JsonNode? value)
    {
        if (Text("payloadJson", value) is not { } text)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text)?.ToJsonString() ?? throw new InvalidRequestException("payloadJson must be a JSON document.", "payloadJson");
        }
        catch (JsonException ex)
        {
            throw new InvalidRequestException($"payloadJson is not JSON: {ex.Message}", "payloadJson");
        }
    }

    public static JsonObject Write(AppConfigurationDefinition definition, bool expandAssignments)
    {
        var json = new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph." + definition.ODataType,
            ["id"] = definition.Id,
            ["displayName"] = definition.DisplayName,
            ["description"] = definition.Description,
            ["createdDateTime"] = GraphResults.Date(definition.CreatedDateTime),
            ["lastModifiedDateTime"] = GraphResults.Date(definition.LastModifiedDateTime),
            ["version"] = definition.Version,
            ["targetedMobileApps"] = new JsonArray(definition.TargetedMobileApps.Select(a => (JsonNode)JsonValue.Create(a)).ToArray()),
        };
        if (definition.ODataType == Ios)
        {
            json["settings"] = definition.SettingsJson is null ? new JsonArray() : JsonNode.Parse(definition.SettingsJson);
            json["encodedSettingXml"] = definition.SettingXml is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes(definition.SettingXml));
        }
        else
        {
            json["packageId"] = definition.PackageId;
            json["payloadJson"] = definition.PayloadJson;
        }

        if (expandAssignments)
        {
            json["assignments"] = WriteAssignments(definition);
        }

        return json;
    }

    public static JsonArray WriteAssignments(AppConfigurationDefinition definition) =>
        new(definition.Assignments.Select(a => (JsonNode)new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.managedDeviceMobileAppConfigurationAssignment",
            ["id"] = $"{definition.Id}_{a.Kind}_{a.GroupId ?? "all"}",
            ["target"] = PolicyGraphMapping.WriteTarget(a),
        }).ToArray());

    private static string? Text(string name, JsonNode? value) => value switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new InvalidRequestException($"'{name}' must be a string.", name),
    };
}
