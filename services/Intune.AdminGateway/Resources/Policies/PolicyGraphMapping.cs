using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Graph;
using Intune.Grains.Errors;
using Intune.Grains.Policies;

namespace Intune.AdminGateway.Resources.Policies;

/// <summary>
/// Graph JSON ↔ policy definitions for <c>deviceCompliancePolicy</c> and <c>deviceConfiguration</c>
/// subtypes. Property names and value types are checked against the generated schema, so a
/// misspelt or mistyped property is a 400 that names it, never a silently ignored setting.
/// </summary>
public static class PolicyGraphMapping
{
    private static readonly HashSet<string> BaseProperties =
    [
        "id", "displayName", "description", "createdDateTime", "lastModifiedDateTime", "version", "roleScopeTagIds",
    ];

    /// <summary>Reads a create or update body. Throws <see cref="InvalidRequestException"/> with a readable message.</summary>
    public static (PolicySchema Schema, PolicyUpdate Update, string? DisplayName) Read(JsonObject body, PolicyKind kind, PolicySchema? existing)
    {
        var typeName = (body["@odata.type"] as JsonValue)?.TryGetValue<string>(out var t) == true ? t : null;
        PolicySchema schema;
        if (typeName is null)
        {
            schema = existing ?? throw new InvalidRequestException("@odata.type is required, e.g. \"#microsoft.graph.windows10CompliancePolicy\".");
        }
        else
        {
            schema = PolicySchemas.Find(typeName) is { } found && found.Kind == kind
                ? found
                : throw new InvalidRequestException($"'{typeName}' is not a supported {(kind == PolicyKind.Compliance ? "deviceCompliancePolicy" : "deviceConfiguration")} type; supported: {string.Join(", ", PolicySchemas.All.Where(s => s.Kind == kind).Select(s => PolicySchemas.ODataNamespace + s.ODataType))}.");
            if (existing is not null && existing.ODataType != schema.ODataType)
            {
                throw new InvalidRequestException($"The policy is a {existing.ODataType}; its @odata.type cannot change.");
            }
        }

        var settings = new Dictionary<string, string?>(StringComparer.Ordinal);
        string? displayName = null;
        string? description = null;
        IReadOnlyList<ScheduledActionRule>? actions = null;
        List<string>? scopeTags = null;
        foreach (var (name, value) in body)
        {
            if (name.StartsWith('@') || name.Contains("@odata.", StringComparison.Ordinal) || name is "assignments")
            {
                continue;
            }

            if (name == "scheduledActionsForRule")
            {
                actions = kind == PolicyKind.Compliance
                    ? ReadScheduledActions(value)
                    : throw new InvalidRequestException("scheduledActionsForRule is a property of compliance policies only.");
                continue;
            }

            if (name == "roleScopeTagIds")
            {
                // Concrete list: it is stored in grain state, whose JSON names the collection type.
                scopeTags = value is JsonArray tags && tags.All(t => t?.GetValueKind() == JsonValueKind.String)
                    ? tags.Select(t => t!.GetValue<string>()).ToList()
                    : throw new InvalidRequestException("roleScopeTagIds must be an array of scope tag ids (strings).", "roleScopeTagIds");
                continue;
            }

            if (BaseProperties.Contains(name))
            {
                if (name == "displayName")
                {
                    displayName = ReadString(name, value) ?? throw new InvalidRequestException("displayName cannot be null.");
                }
                else if (name == "description")
                {
                    description = ReadString(name, value) ?? string.Empty;
                }

                continue;
            }

            var setting = schema.Find(name) ?? throw new InvalidRequestException($"'{name}' is not a property of {schema.ODataType}.");
            settings[name] = ReadSetting(setting, value);
        }

        return (schema, new PolicyUpdate { DisplayName = displayName, Description = description, Settings = settings, ScheduledActions = actions, RoleScopeTagIds = scopeTags }, displayName);
    }

    public static IReadOnlyList<ScheduledActionRule> ReadScheduledActions(JsonNode? value)
    {
        if (value is not JsonArray rules)
        {
            throw new InvalidRequestException("scheduledActionsForRule must be an array of deviceComplianceScheduledActionForRule.");
        }

        return rules.Select(rule =>
        {
            if (rule is not JsonObject r)
            {
                throw new InvalidRequestException("Each scheduledActionsForRule entry must be an object.");
            }

            var configurations = r["scheduledActionConfigurations"] as JsonArray ?? [];
            return new ScheduledActionRule(
                ReadString("ruleName", r["ruleName"]) ?? string.Empty,
                configurations.Select(ReadActionItem).ToList());
        }).ToList();
    }

    private static ComplianceActionItem ReadActionItem(JsonNode? node)
    {
        if (node is not JsonObject item)
        {
            throw new InvalidRequestException("Each scheduledActionConfigurations entry must be an object.");
        }

        var typeText = ReadString("actionType", item["actionType"]) ?? throw new InvalidRequestException("actionType is required.");
        var grace = item["gracePeriodHours"] is JsonValue g && g.TryGetValue<int>(out var hours) ? hours : 0;
        var cc = item["notificationMessageCCList"] is JsonArray list ? list.Select(x => x?.GetValue<string>() ?? string.Empty).ToList() : [];
        return ActionItem(typeText, grace, ReadString("notificationTemplateId", item["notificationTemplateId"]), cc);
    }

    /// <summary>One scheduled action from Graph's values (<c>actionType</c> as Graph spells it), validated.</summary>
    public static ComplianceActionItem ActionItem(string typeText, int gracePeriodHours, string? notificationTemplateId, IReadOnlyList<string> notificationMessageCcList)
    {
        if (!Enum.TryParse<ComplianceActionType>(typeText, ignoreCase: false, out var type) && !TryParseCamel(typeText, out type))
        {
            throw new InvalidRequestException($"'{typeText}' is not a deviceComplianceActionType (noAction, notification, block, retire, wipe, removeResourceAccessProfiles, pushNotification).");
        }

        if (gracePeriodHours is < 0 or > 8760)
        {
            throw new InvalidRequestException($"gracePeriodHours must be between 0 and 8760; got {gracePeriodHours}.");
        }

        return new ComplianceActionItem(type, gracePeriodHours, notificationTemplateId, notificationMessageCcList);
    }

    private static bool TryParseCamel(string text, out ComplianceActionType type)
    {
        type = default;
        return text.Length > 0 && char.IsLower(text[0]) && Enum.TryParse(char.ToUpperInvariant(text[0]) + text[1..], ignoreCase: false, out type);
    }

    private static string? ReadSetting(SettingSchema setting, JsonNode? value)
    {
        if (value is null)
        {
            return setting.Nullable || setting.Type == SettingType.Json
                ? null
                : throw new InvalidRequestException($"'{setting.Name}' cannot be null.");
        }

        var kind = value.GetValueKind();
        return setting.Type switch
        {
            SettingType.Boolean when kind is JsonValueKind.True or JsonValueKind.False => value.ToJsonString(),
            SettingType.Int32 when kind == JsonValueKind.Number && value.AsValue().TryGetValue<int>(out _) => value.ToJsonString(),
            SettingType.String when kind == JsonValueKind.String => value.ToJsonString(),
            SettingType.Enum when kind == JsonValueKind.String && setting.EnumValues!.Contains(value.GetValue<string>()) => value.ToJsonString(),
            SettingType.Enum => throw new InvalidRequestException($"'{setting.Name}' must be one of: {string.Join(", ", setting.EnumValues!)}."),
            SettingType.Json => value.ToJsonString(),
            _ => throw new InvalidRequestException($"'{setting.Name}' must be {Describe(setting.Type)}; got {kind.ToString().ToLowerInvariant()}."),
        };
    }

    private static string Describe(SettingType type) => type switch
    {
        SettingType.Boolean => "a boolean",
        SettingType.Int32 => "a 32-bit integer",
        _ => "a string",
    };

    private static string? ReadString(string name, JsonNode? value) => value switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new InvalidRequestException($"'{name}' must be a string."),
    };

    /// <summary>Writes a policy as Graph does: every property of its type, defaults where unset.</summary>
    public static JsonObject Write(PolicyDefinition policy, bool expandActions, IReadOnlyList<PolicyAssignment>? assignments)
    {
        var schema = PolicySchemas.Find(policy.ODataType)!;
        var json = new JsonObject
        {
            ["@odata.type"] = PolicySchemas.ODataNamespace + policy.ODataType,
            ["id"] = policy.Id,
            ["createdDateTime"] = JsonSerializer.SerializeToNode(policy.CreatedDateTime, GraphJson.Options),
            ["description"] = policy.Description,
            ["displayName"] = policy.DisplayName,
            ["lastModifiedDateTime"] = JsonSerializer.SerializeToNode(policy.LastModifiedDateTime, GraphJson.Options),
            ["version"] = policy.Version,
            ["roleScopeTagIds"] = new JsonArray([.. (policy.RoleScopeTagIds is { Count: > 0 } tags ? tags : [Intune.Grains.Rbac.RoleScopeTag.DefaultId]).Select(t => (JsonNode?)t)]),
        };
        foreach (var setting in schema.Settings)
        {
            json[setting.Name] = policy.Settings.TryGetValue(setting.Name, out var value)
                ? JsonNode.Parse(value)
                : setting.Type switch
                {
                    SettingType.Boolean => false,
                    SettingType.Int32 when !setting.Nullable => 0,
                    SettingType.Enum when !setting.Nullable => setting.EnumValues![0],
                    _ => null,
                };
        }

        if (expandActions)
        {
            json["scheduledActionsForRule"] = new JsonArray(policy.ScheduledActions.Select((rule, i) => (JsonNode)new JsonObject
            {
                ["id"] = $"{policy.Id}_{i}",
                ["ruleName"] = rule.RuleName,
                ["scheduledActionConfigurations"] = new JsonArray(rule.Actions.Select((a, j) => (JsonNode)new JsonObject
                {
                    ["id"] = $"{policy.Id}_{i}_{j}",
                    ["actionType"] = JsonNamingPolicy.CamelCase.ConvertName(a.ActionType.ToString()),
                    ["gracePeriodHours"] = a.GracePeriodHours,
                    ["notificationTemplateId"] = a.NotificationTemplateId ?? string.Empty,
                    ["notificationMessageCCList"] = new JsonArray(a.NotificationMessageCcList.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()),
                }).ToArray()),
            }).ToArray());
        }

        if (assignments is not null)
        {
            json["assignments"] = WriteAssignments(assignments);
        }

        return json;
    }

    public static JsonArray WriteAssignments(IReadOnlyList<PolicyAssignment> assignments) =>
        new(assignments.Select(a => (JsonNode)new JsonObject
        {
            ["id"] = a.Id,
            ["target"] = WriteTarget(a.Target),
        }).ToArray());

    public static JsonObject WriteTarget(AssignmentTarget target)
    {
        var json = new JsonObject
        {
            ["@odata.type"] = PolicySchemas.ODataNamespace + target.Kind switch
            {
                AssignmentTargetKind.Group => "groupAssignmentTarget",
                AssignmentTargetKind.ExclusionGroup => "exclusionGroupAssignmentTarget",
                AssignmentTargetKind.AllDevices => "allDevicesAssignmentTarget",
                _ => "allLicensedUsersAssignmentTarget",
            },
        };
        if (target.GroupId is not null)
        {
            json["groupId"] = target.GroupId;
        }

        return json;
    }

    /// <summary>Reads <c>{"assignments":[{"target":{...}}]}</c>.</summary>
    public static IReadOnlyList<AssignmentTarget> ReadAssignments(JsonObject body)
    {
        if (body["assignments"] is not JsonArray assignments)
        {
            throw new InvalidRequestException("The body must be {\"assignments\": [ { \"target\": { \"@odata.type\": … } } ]}.");
        }

        return assignments.Select(a =>
        {
            var target = (a as JsonObject)?["target"] as JsonObject ?? throw new InvalidRequestException("Each assignment needs a target object.");
            var type = ReadString("@odata.type", target["@odata.type"]) ?? throw new InvalidRequestException("Each assignment target needs an @odata.type.");
            var groupId = ReadString("groupId", target["groupId"]);
            var kind = type.Replace(PolicySchemas.ODataNamespace, string.Empty, StringComparison.Ordinal) switch
            {
                "groupAssignmentTarget" => AssignmentTargetKind.Group,
                "exclusionGroupAssignmentTarget" => AssignmentTargetKind.ExclusionGroup,
                "allDevicesAssignmentTarget" => AssignmentTargetKind.AllDevices,
                "allLicensedUsersAssignmentTarget" => AssignmentTargetKind.AllLicensedUsers,
                _ => throw new InvalidRequestException($"'{type}' is not a supported assignment target (groupAssignmentTarget, exclusionGroupAssignmentTarget, allDevicesAssignmentTarget, allLicensedUsersAssignmentTarget)."),
            };
            if (kind is AssignmentTargetKind.Group or AssignmentTargetKind.ExclusionGroup)
            {
                if (string.IsNullOrWhiteSpace(groupId) || !Guid.TryParse(groupId, out _))
                {
                    throw new InvalidRequestException($"{type} needs a groupId (a group id from /v1.0/groups).");
                }
            }
            else
            {
                groupId = null;
            }

            return new AssignmentTarget(kind, groupId);
        }).ToList();
    }

    /// <summary>Graph <c>complianceStatus</c> for a per-device state (grace is nonCompliant with an expiry date).</summary>
    public static string ComplianceStatus(PolicyDeviceState state) => state switch
    {
        PolicyDeviceState.NotApplicable => "notApplicable",
        PolicyDeviceState.Compliant => "compliant",
        PolicyDeviceState.Remediated => "remediated",
        PolicyDeviceState.InGracePeriod or PolicyDeviceState.NonCompliant => "nonCompliant",
        PolicyDeviceState.Conflict => "conflict",
        PolicyDeviceState.Error => "error",
        _ => "unknown",
    };
}
