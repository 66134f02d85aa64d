using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Operations;
using Intune.AdminGateway.Resources.Policies;
using Intune.Grains.Devices;
using Intune.Grains.Errors;
using Intune.Grains.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Resources.ManagedDevices;

/// <summary>
/// <c>/v1.0/deviceManagement/managedDevices</c>: list with OData <c>$filter $select $top $count
/// $orderby $skiptoken</c>, <c>/$count</c>, get by id, <c>PATCH</c> and <c>DELETE</c>, and the
/// device's compliance reports (policy states, notifications).
/// </summary>
public static class ManagedDevicesApi
{
    public static RouteGroupBuilder MapManagedDevicesApi(this RouteGroupBuilder v1)
    {
        var devices = v1.MapGroup("/deviceManagement/managedDevices");
        devices.MapGet("", ListAsync).Is(ManagedDeviceOperations.List);
        devices.MapGet("/$count", CountAsync).Is(ManagedDeviceOperations.List);
        devices.MapGet("/{id}", GetAsync).Is(ManagedDeviceOperations.Get);
        devices.MapPatch("/{id}", UpdateAsync).Is(ManagedDeviceOperations.Update);
        devices.MapDelete("/{id}", DeleteAsync).Is(ManagedDeviceOperations.Delete);
        devices.MapGet("/{id}/deviceCompliancePolicyStates", (string id, HttpContext context, ManagedDeviceQueryService queries) =>
            PolicyStatesAsync(id, context, queries, PolicyKind.Compliance)).Is(ManagedDeviceOperations.ListPolicyStates);
        devices.MapGet("/{id}/deviceConfigurationStates", (string id, HttpContext context, ManagedDeviceQueryService queries) =>
            PolicyStatesAsync(id, context, queries, PolicyKind.Configuration)).Is(ManagedDeviceOperations.ListPolicyStates);
        devices.MapGet("/{id}/complianceNotifications", NotificationsAsync).Is(ManagedDeviceOperations.ListNotifications);
        return v1;
    }

    private static async Task<IResult> ListAsync(HttpContext context, ManagedDeviceQueryService queries)
    {
        var request = Parse(context);
        var result = await queries.QueryAsync(context.CallerTenantId(), request.Query);
        var select = request.Select is null ? string.Empty : $"({string.Join(',', request.Select)})";
        return GraphResults.Page(
            context,
            $"deviceManagement/managedDevices{select}",
            result.Devices.Select(d => (JsonNode?)Project(ToGraph(d), request.Select)),
            // Absolute, with every option repeated: the SDK's PageIterator follows it verbatim.
            result.Next is { } next ? $"deviceManagement/managedDevices?{request.NextLinkQuery(next)}" : null,
            result.Count);
    }

    private static async Task<IResult> CountAsync(HttpContext context, ManagedDeviceQueryService queries)
    {
        var count = await queries.CountAsync(context.CallerTenantId(), Parse(context).Query.Filter);
        return Results.Text(count.ToString(CultureInfo.InvariantCulture), "text/plain", Encoding.UTF8);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, ManagedDeviceQueryService queries)
    {
        var select = context.Request.Query.ContainsKey("$select") ? Parse(context).Select : null;
        var device = await queries.GetAsync(context.CallerTenantId(), id);
        return GraphResults.Entity(context, "deviceManagement/managedDevices/$entity", Project(ToGraph(device), select));
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext context, ManagedDeviceCommands commands, AuditRecorder audit)
    {
        var body = await GraphRequestBody.ReadObjectAsync(context) ?? throw new InvalidRequestException("PATCH needs a JSON object with the properties to change.", "body");
        var update = new ManagedDeviceUpdate();
        foreach (var (name, value) in body)
        {
            var kind = value?.GetValueKind() ?? JsonValueKind.Null;
            switch (name)
            {
                case "@odata.type" when kind == JsonValueKind.String && (string?)value == "#microsoft.graph.managedDevice":
                    break;
                case "@odata.type":
                    throw new InvalidRequestException("'@odata.type' must be '#microsoft.graph.managedDevice'.", name);
                case "notes" when kind is JsonValueKind.String or JsonValueKind.Null:
                    update = update with { Notes = (string?)value ?? string.Empty };
                    break;
                case "notes":
                    throw new InvalidRequestException("'notes' must be a string.", name);
                case "managedDeviceOwnerType" when kind == JsonValueKind.String:
                    update = update with { Ownership = ManagedDeviceCommands.ParseOwnerType((string?)value) };
                    break;
                case "managedDeviceOwnerType":
                    throw new InvalidRequestException("'managedDeviceOwnerType' must be a string: 'company' or 'personal'.", name);
                default:
                    // Everything else on a managedDevice is reported by the device itself.
                    throw new InvalidRequestException($"The property '{name}' cannot be changed; updatable properties: notes, managedDeviceOwnerType.", name);
            }
        }

        await commands.UpdateAsync(context.CallerTenantId(), id, update, audit);
        return Results.NoContent();
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext context, ManagedDeviceCommands commands, AuditRecorder audit)
    {
        await commands.DeleteAsync(context.CallerTenantId(), id, audit);
        return Results.NoContent();
    }

    private static async Task<IResult> PolicyStatesAsync(string id, HttpContext context, ManagedDeviceQueryService queries, PolicyKind kind)
    {
        var statuses = await queries.PolicyStatesAsync(context.CallerTenantId(), id, kind);
        var path = kind == PolicyKind.Compliance ? "deviceCompliancePolicyStates" : "deviceConfigurationStates";
        return GraphResults.Collection(context, $"deviceManagement/managedDevices('{id}')/{path}", statuses.Select(s => (JsonNode?)new JsonObject
        {
            ["id"] = s.PolicyId,
            ["displayName"] = s.DisplayName,
            ["version"] = s.Version,
            ["platformType"] = PlatformType(s.ODataType),
            ["state"] = PolicyGraphMapping.ComplianceStatus(s.State),
            ["settingCount"] = s.Settings.Count,
            ["settingStates"] = new JsonArray(s.Settings.Select(r => (JsonNode)new JsonObject
            {
                ["setting"] = r.Setting,
                ["settingName"] = r.Setting,
                ["state"] = PolicyGraphMapping.ComplianceStatus(r.State),
                ["currentValue"] = r.Actual,
                ["errorDescription"] = r.Detail,
                ["sources"] = new JsonArray(new JsonObject { ["id"] = s.PolicyId, ["displayName"] = s.DisplayName }),
            }).ToArray()),
        }));
    }

    private static async Task<IResult> NotificationsAsync(string id, HttpContext context, ManagedDeviceQueryService queries)
    {
        var notifications = await queries.NotificationsAsync(context.CallerTenantId(), id);
        return GraphResults.Collection(context, $"deviceManagement/managedDevices('{id}')/complianceNotifications", notifications.Select(n => (JsonNode?)new JsonObject
        {
            ["policyId"] = n.PolicyId,
            ["actionType"] = JsonNamingPolicy.CamelCase.ConvertName(n.Action.ToString()),
            ["notificationTemplateId"] = n.NotificationTemplateId,
            ["notificationMessageCCList"] = new JsonArray(n.CcList.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()),
            ["message"] = n.Message,
            ["sentDateTime"] = GraphResults.Date(n.SentDateTime),
        }));
    }

    private static ManagedDeviceODataQuery Parse(HttpContext context) =>
        ManagedDeviceODataQuery.Parse(context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()));

    private static JsonObject ToGraph(ManagedDeviceView device) =>
        JsonSerializer.SerializeToNode(ManagedDeviceResource.From(device), GraphJson.Options)!.AsObject();

    private static JsonObject Project(JsonObject resource, IReadOnlyList<string>? select)
    {
        if (select is null)
        {
            return resource;
        }

        var projected = new JsonObject();
        foreach (var name in select)
        {
            if (resource.TryGetPropertyValue(name, out var value))
            {
                projected[name] = value?.DeepClone();
            }
        }

        return projected;
    }

    private static string PlatformType(string odataType) => odataType switch
    {
        "windows10CompliancePolicy" or "windows10GeneralConfiguration" => "windows10AndLater",
        "iosCompliancePolicy" or "iosGeneralDeviceConfiguration" => "iOS",
        "macOSCompliancePolicy" or "macOSGeneralDeviceConfiguration" => "macOS",
        "androidWorkProfileCompliancePolicy" => "androidForWork",
        _ => "android",
    };
}
