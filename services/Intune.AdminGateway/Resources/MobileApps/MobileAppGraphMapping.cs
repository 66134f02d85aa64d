using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Resources.Policies;
using Intune.Grains.Apps;
using Intune.Grains.Errors;
using Intune.Grains.Policies;

namespace Intune.AdminGateway.Resources.MobileApps;

/// <summary>
/// Graph JSON ↔ apps, content files and app assignments. Property names and value types are
/// checked against <see cref="MobileAppTypes"/>, so a misspelt or mistyped property is a 400 that
/// names it; read-only properties a client echoes back are ignored as Graph ignores them.
/// </summary>
public static class MobileAppGraphMapping
{
    private static readonly HashSet<string> ReadOnly =
    [
        "id", "createdDateTime", "lastModifiedDateTime", "publishingState", "size", "roleScopeTagIds",
        "dependentAppCount", "supersedingAppCount", "supersededAppCount", "uploadState", "isAssigned",
    ];

    /// <summary>Assignment settings types per app type (Graph <c>mobileAppAssignmentSettings</c> subtypes).</summary>
    private static readonly Dictionary<string, string> SettingsTypes = new(StringComparer.Ordinal)
    {
        ["win32LobApp"] = "win32LobAppAssignmentSettings",
        ["winGetApp"] = "winGetAppAssignmentSettings",
        ["iosStoreApp"] = "iosStoreAppAssignmentSettings",
        ["iosLobApp"] = "iosLobAppAssignmentSettings",
        ["macOSLobApp"] = "macOSLobAppAssignmentSettings",
        ["androidManagedStoreApp"] = "androidManagedStoreAppAssignmentSettings",
    };

    /// <summary>Reads a POST or PATCH body; on PATCH <paramref name="existing"/> is the app's type, which cannot change.</summary>
    public static (MobileAppType Type, MobileAppUpdate Update) Read(JsonObject body, MobileAppType? existing)
    {
        var typeName = (body["@odata.type"] as JsonValue)?.TryGetValue<string>(out var t) == true ? t : null;
        MobileAppType type;
        if (typeName is null)
        {
            type = existing ?? throw new InvalidRequestException("@odata.type is required, e.g. \"#microsoft.graph.win32LobApp\".", "@odata.type");
        }
        else
        {
            type = MobileAppTypes.Find(typeName)
                ?? throw new InvalidRequestException($"'{typeName}' is not a supported mobileApp type; supported: {string.Join(", ", MobileAppTypes.All.Select(x => MobileAppTypes.ODataNamespace + x.ODataType))}.", "@odata.type");
            if (existing is not null && existing.ODataType != type.ODataType)
            {
                throw new InvalidRequestException($"The app is a {existing.ODataType}; its @odata.type cannot change.", "@odata.type");
            }
        }

        string? displayName = null, publisher = null, committed = null;
        var properties = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in body)
        {
            if (name.StartsWith('@') || name.Contains("@odata.", StringComparison.Ordinal) || name is "assignments" or "categories" || ReadOnly.Contains(name))
            {
                continue;
            }

            switch (name)
            {
                case "displayName":
                    displayName = Text(name, value) ?? throw new InvalidRequestException("displayName cannot be null.", name);
                    continue;
                case "publisher":
                    publisher = Text(name, value) ?? throw new InvalidRequestException("publisher cannot be null.", name);
                    continue;
                case "committedContentVersion" when type.IsLineOfBusiness:
                    committed = Text(name, value);
                    continue;
            }

            var property = type.Find(name) ?? throw new InvalidRequestException($"'{name}' is not a property of {type.ODataType}.", name);
            properties[name] = Value(property, value);
        }

        if (type.ODataType == "androidStoreApp" && properties.GetValueOrDefault("appStoreUrl") is { } url && properties.GetValueOrDefault("packageId") is null)
        {
            // Graph derives an Android store app's package from its Play Store URL (the SDK never sends packageId).
            properties["packageId"] = JsonSerializer.Serialize(PlayStorePackage(JsonSerializer.Deserialize<string>(url)!));
        }

        return (type, new MobileAppUpdate { DisplayName = displayName, Publisher = publisher, Properties = properties, CommittedContentVersion = committed });
    }

    private static string PlayStorePackage(string url)
    {
        var query = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Query.TrimStart('?').Split('&') : [];
        return query.Select(p => p.Split('=', 2)).FirstOrDefault(p => p.Length == 2 && p[0] == "id" && p[1].Length > 0)?[1]
            ?? throw new InvalidRequestException($"appStoreUrl must be a Play Store URL naming the package (…/details?id=com.example.app); got '{url}'.", "appStoreUrl");
    }

    private static string? Value(AppPropertySchema property, JsonNode? value)
    {
        if (value is null)
        {
            return null;
        }

        var kind = value.GetValueKind();
        if (property.Name == "largeIcon")
        {
            CheckIcon(value);
        }

        return property.Type switch
        {
            SettingType.Boolean when kind is JsonValueKind.True or JsonValueKind.False => value.ToJsonString(),
            SettingType.Int32 when kind == JsonValueKind.Number && value.AsValue().TryGetValue<int>(out _) => value.ToJsonString(),
            SettingType.String when kind == JsonValueKind.String => value.ToJsonString(),
            SettingType.Json when kind is JsonValueKind.Object or JsonValueKind.Array => value.ToJsonString(),
            _ => throw new InvalidRequestException($"'{property.Name}' must be {property.Type switch
            {
                SettingType.Boolean => "a boolean",
                SettingType.Int32 => "a 32-bit integer",
                SettingType.Json => "an object or array",
                _ => "a string",
            }}; got {kind.ToString().ToLowerInvariant()}.", property.Name),
        };
    }

    /// <summary>Graph <c>mimeContent</c>: an image type and base64 bytes.</summary>
    private static void CheckIcon(JsonNode value)
    {
        var icon = value as JsonObject ?? throw new InvalidRequestException("largeIcon must be a mimeContent object {type, value}.", "largeIcon");
        var type = Text("largeIcon.type", icon["type"]);
        if (type is null || !type.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidRequestException("largeIcon.type must be an image MIME type such as image/png.", "largeIcon");
        }

        if (Text("largeIcon.value", icon["value"]) is not { } data || !Convert.TryFromBase64String(data, new byte[data.Length], out _))
        {
            throw new InvalidRequestException("largeIcon.value must be the image as base64.", "largeIcon");
        }
    }

    /// <summary>Writes an app as Graph does: every property of its type, defaults where unset.</summary>
    public static JsonObject Write(MobileAppDefinition app, IReadOnlyList<AppContentVersion>? content, IReadOnlyList<MobileAppAssignment>? assignments)
    {
        var type = MobileAppTypes.Find(app.ODataType)!;
        var json = new JsonObject
        {
            ["@odata.type"] = MobileAppTypes.ODataNamespace + app.ODataType,
            ["id"] = app.Id,
            ["displayName"] = app.DisplayName,
            ["publisher"] = app.Publisher,
            ["createdDateTime"] = GraphResults.Date(app.CreatedDateTime),
            ["lastModifiedDateTime"] = GraphResults.Date(app.LastModifiedDateTime),
            ["publishingState"] = type.IsLineOfBusiness && app.CommittedContentVersion is null ? "notPublished" : "published",
        };
        foreach (var property in MobileAppTypes.Common.Concat(type.Properties))
        {
            json[property.Name] = app.Properties.TryGetValue(property.Name, out var value)
                ? JsonNode.Parse(value)
                : property.Type switch
                {
                    SettingType.Boolean => false,
                    _ => null,
                };
        }

        if (type.IsLineOfBusiness)
        {
            json["committedContentVersion"] = app.CommittedContentVersion;
            json["size"] = content?.FirstOrDefault(v => v.Id == app.CommittedContentVersion)?.Files.Where(f => f.IsCommitted).Sum(f => f.Size) ?? 0;
        }

        if (assignments is not null)
        {
            json["assignments"] = WriteAssignments(assignments);
        }

        return json;
    }

    public static JsonArray WriteAssignments(IReadOnlyList<MobileAppAssignment> assignments) =>
        new(assignments.Select(a => (JsonNode)new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.mobileAppAssignment",
            ["id"] = a.Id,
            ["intent"] = JsonNamingPolicy.CamelCase.ConvertName(a.Intent.ToString()),
            ["target"] = PolicyGraphMapping.WriteTarget(a.Target),
            ["settings"] = a.SettingsJson is null ? null : JsonNode.Parse(a.SettingsJson),
        }).ToArray());

    /// <summary>Reads <c>{"mobileAppAssignments":[{intent, target, settings}]}</c> for an app of <paramref name="type"/>.</summary>
    public static IReadOnlyList<MobileAppAssignment> ReadAssignments(JsonObject body, MobileAppType type)
    {
        if (body["mobileAppAssignments"] is not JsonArray list)
        {
            throw new InvalidRequestException("The body must be {\"mobileAppAssignments\": [ { \"intent\": …, \"target\": { \"@odata.type\": … } } ]}.", "mobileAppAssignments");
        }

        return list.Select(node =>
        {
            var assignment = node as JsonObject ?? throw new InvalidRequestException("Each mobileAppAssignment must be an object.", "mobileAppAssignments");
            var intentText = Text("intent", assignment["intent"]) ?? throw new InvalidRequestException("Each mobileAppAssignment needs an intent (available, required, uninstall, availableWithoutEnrollment).", "intent");
            if (!Enum.TryParse<AppInstallIntent>(intentText, ignoreCase: true, out var intent) || !Enum.IsDefined(intent) || int.TryParse(intentText, out _))
            {
                throw new InvalidRequestException($"'{intentText}' is not an installIntent (available, required, uninstall, availableWithoutEnrollment).", "intent");
            }

            // One target reader for every assignable resource.
            var target = PolicyGraphMapping.ReadAssignments(new JsonObject { ["assignments"] = new JsonArray(new JsonObject { ["target"] = assignment["target"]?.DeepClone() }) })[0];
            return new MobileAppAssignment(string.Empty, intent, target, ReadSettings(assignment["settings"], type));
        }).ToList();
    }

    private static string? ReadSettings(JsonNode? node, MobileAppType type)
    {
        if (node is null)
        {
            return null;
        }

        var settings = node as JsonObject ?? throw new InvalidRequestException("settings must be an object with an @odata.type.", "settings");
        var settingsType = Text("settings.@odata.type", settings["@odata.type"])?.Replace(MobileAppTypes.ODataNamespace, string.Empty, StringComparison.Ordinal);
        if (!SettingsTypes.TryGetValue(type.ODataType, out var expected) || settingsType != expected)
        {
            throw new InvalidRequestException(
                SettingsTypes.TryGetValue(type.ODataType, out var allowed)
                    ? $"Assignment settings of a {type.ODataType} must be #microsoft.graph.{allowed}; got '{settingsType}'."
                    : $"A {type.ODataType} assignment takes no settings.",
                "settings");
        }

        if (settingsType is "win32LobAppAssignmentSettings" or "winGetAppAssignmentSettings")
        {
            OneOf(settings, "notifications", "showAll", "showReboot", "hideAll");
        }

        if (settingsType == "win32LobAppAssignmentSettings")
        {
            OneOf(settings, "deliveryOptimizationPriority", "notConfigured", "foreground");
        }

        return settings.ToJsonString();
    }

    private static void OneOf(JsonObject settings, string name, params string[] values)
    {
        if (settings[name] is { } node && (Text(name, node) is not { } value || !values.Contains(value, StringComparer.Ordinal)))
        {
            throw new InvalidRequestException($"settings.{name} must be one of: {string.Join(", ", values)}.", name);
        }
    }

    /// <summary>Reads a <c>mobileAppContentFile</c> POST body.</summary>
    public static AppContentFileDraft ReadFile(JsonObject body)
    {
        var name = Text("name", body["name"]) ?? throw new InvalidRequestException("name is required (the package's file name).", "name");
        byte[]? manifest = null;
        if (Text("manifest", body["manifest"]) is { } text)
        {
            manifest = Base64("manifest", text);
        }

        return new AppContentFileDraft(name, Long("size", body["size"]), Long("sizeEncrypted", body["sizeEncrypted"]), manifest, body["isDependency"] is JsonValue d && d.GetValueKind() == JsonValueKind.True);
    }

    /// <summary>Reads <c>{"fileEncryptionInfo": {...}}</c> of a commit.</summary>
    public static FileEncryptionInfo ReadCommit(JsonObject body)
    {
        var info = body["fileEncryptionInfo"] as JsonObject ?? throw new InvalidRequestException("fileEncryptionInfo is required: the encryption key, IV, MAC, MAC key, profile and file digest of the package.", "fileEncryptionInfo");
        byte[] Bytes(string name) => Base64(name, Text(name, info[name]) ?? throw new InvalidRequestException($"fileEncryptionInfo.{name} is required.", name));
        return new FileEncryptionInfo(
            Bytes("encryptionKey"),
            Bytes("initializationVector"),
            Bytes("mac"),
            Bytes("macKey"),
            Text("profileIdentifier", info["profileIdentifier"]) ?? string.Empty,
            Bytes("fileDigest"),
            Text("fileDigestAlgorithm", info["fileDigestAlgorithm"]) ?? string.Empty);
    }

    public static JsonObject WriteFile(AppContentFile file) => new()
    {
        ["@odata.type"] = "#microsoft.graph.mobileAppContentFile",
        ["id"] = file.Id,
        ["name"] = file.Name,
        ["size"] = file.Size,
        ["sizeEncrypted"] = file.SizeEncrypted,
        ["manifest"] = file.Manifest is null ? null : Convert.ToBase64String(file.Manifest),
        ["isCommitted"] = file.IsCommitted,
        ["isDependency"] = file.IsDependency,
        ["uploadState"] = JsonNamingPolicy.CamelCase.ConvertName(file.UploadState.ToString()),
        ["azureStorageUri"] = file.AzureStorageUri,
        ["azureStorageUriExpirationDateTime"] = file.AzureStorageUriExpirationDateTime is { } expires ? GraphResults.Date(expires) : null,
        ["createdDateTime"] = GraphResults.Date(file.CreatedDateTime),
    };

    public static JsonObject WriteContentVersion(AppContentVersion version) => new()
    {
        ["@odata.type"] = "#microsoft.graph.mobileAppContent",
        ["id"] = version.Id,
    };

    public static JsonObject WriteDeviceStatus(string appId, AppInstallStatus row) => new()
    {
        ["@odata.type"] = "#microsoft.graph.mobileAppInstallStatus",
        ["id"] = $"{appId}_{row.DeviceId}",
        ["deviceId"] = row.DeviceId,
        ["deviceName"] = row.DeviceName,
        ["userPrincipalName"] = row.UserPrincipalName,
        ["userName"] = row.UserPrincipalName,
        ["installState"] = InstallState(row.State),
        ["errorCode"] = row.ErrorCode,
        ["lastSyncDateTime"] = GraphResults.Date(row.LastReportedDateTime),
    };

    /// <summary>One row per user over the user's devices.</summary>
    public static IEnumerable<JsonNode?> WriteUserStatuses(string appId, IReadOnlyList<AppInstallStatus> rows) =>
        rows.Where(r => r.UserPrincipalName is not null)
            .GroupBy(r => r.UserPrincipalName!, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => (JsonNode?)new JsonObject
            {
                ["@odata.type"] = "#microsoft.graph.userAppInstallStatus",
                ["id"] = $"{appId}_{g.Key}",
                ["userName"] = g.Key,
                ["userPrincipalName"] = g.Key,
                ["installedDeviceCount"] = g.Count(r => r.State == AppInstallState.Installed),
                ["failedDeviceCount"] = g.Count(r => r.State is AppInstallState.Failed or AppInstallState.UninstallFailed),
                ["notInstalledDeviceCount"] = g.Count(r => r.State == AppInstallState.NotInstalled),
            });

    public static JsonObject WriteSummary(string appId, AppInstallSummary summary) => new()
    {
        ["@odata.type"] = "#microsoft.graph.mobileAppInstallSummary",
        ["id"] = appId,
        ["installedDeviceCount"] = summary.InstalledDeviceCount,
        ["failedDeviceCount"] = summary.FailedDeviceCount,
        ["pendingInstallDeviceCount"] = summary.PendingInstallDeviceCount,
        ["notInstalledDeviceCount"] = summary.NotInstalledDeviceCount,
        ["notApplicableDeviceCount"] = summary.NotApplicableDeviceCount,
        ["installedUserCount"] = summary.InstalledUserCount,
        ["failedUserCount"] = summary.FailedUserCount,
        ["pendingInstallUserCount"] = summary.PendingInstallUserCount,
        ["notInstalledUserCount"] = summary.NotInstalledUserCount,
        ["notApplicableUserCount"] = summary.NotApplicableUserCount,
    };

    /// <summary>Graph <c>detectedApp</c> as one device sees it; the id is stable per name and version, as Intune's tenant-wide ids are.</summary>
    public static JsonNode? WriteDetectedApp(DetectedApp app) => new JsonObject
    {
        ["@odata.type"] = "#microsoft.graph.detectedApp",
        ["id"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{app.DisplayName}\n{app.Version}")))[..32],
        ["displayName"] = app.DisplayName,
        ["version"] = app.Version,
        ["sizeInByte"] = app.SizeInByte,
        ["deviceCount"] = 1,
        ["publisher"] = app.Publisher,
    };

    /// <summary>Graph <c>resultantAppState</c>.</summary>
    public static string InstallState(AppInstallState? state) => state switch
    {
        AppInstallState.Installed => "installed",
        AppInstallState.Failed => "failed",
        AppInstallState.NotInstalled => "notInstalled",
        AppInstallState.UninstallFailed => "uninstallFailed",
        AppInstallState.PendingInstall => "pendingInstall",
        AppInstallState.NotApplicable => "notApplicable",
        _ => "unknown",
    };

    private static byte[] Base64(string name, string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written)
            ? buffer[..written]
            : throw new InvalidRequestException($"{name} must be base64.", name);
    }

    private static long Long(string name, JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n)
            ? n
            : throw new InvalidRequestException($"{name} is required: a byte count.", name);

    private static string? Text(string name, JsonNode? value) => value switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new InvalidRequestException($"'{name}' must be a string.", name),
    };
}
