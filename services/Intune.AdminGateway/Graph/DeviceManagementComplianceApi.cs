using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Auth;
using Intune.Grains.Devices;
using Intune.Grains.Policies;
using Intune.Grains.Tenants;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Graph;

/// <summary>
/// Tenant compliance settings (<c>GET/PATCH /deviceManagement</c>), the tenant-wide state
/// summaries, per-device policy states, the compliance retire list, and the conditional-access
/// and network-access-control verdicts.
/// </summary>
public static class DeviceManagementComplianceApi
{
    public static RouteGroupBuilder MapDeviceManagementComplianceApi(this RouteGroupBuilder v1)
    {
        var dm = v1.MapGroup("/deviceManagement");

        dm.MapGet("", (HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
            GraphResults.Entity(context, "deviceManagement", WriteDeviceManagement(Tenant(context), await (await admin.TenantAsync(Tenant(context))).GetSettingsAsync()))))
            .RequirePermission(AdminPermissions.OrganizationRead);

        dm.MapPatch("", (HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            var body = await GraphResults.ReadBodyAsync(context);
            if (body["settings"] is not JsonObject settings)
            {
                throw new PolicyValidationException("PATCH /deviceManagement takes {\"settings\": {\"deviceComplianceCheckinThresholdDays\": …, \"secureByDefault\": …, \"isScheduledActionEnabled\": …}}.");
            }

            if (settings.Select(p => p.Key).FirstOrDefault(k => !k.StartsWith('@') && k is not ("deviceComplianceCheckinThresholdDays" or "secureByDefault" or "isScheduledActionEnabled")) is { } unknown)
            {
                throw new PolicyValidationException($"'{unknown}' is not a property of deviceManagementSettings.");
            }

            await (await admin.TenantAsync(Tenant(context))).UpdateSettingsAsync(
                ReadInt(settings, "deviceComplianceCheckinThresholdDays"),
                ReadBool(settings, "secureByDefault"),
                ReadBool(settings, "isScheduledActionEnabled"));
            return Results.NoContent();
        })).RequirePermission(AdminPermissions.OrganizationUpdate);

        dm.MapGet("/deviceCompliancePolicyDeviceStateSummary", (HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            var s = await admin.SummaryAsync(Tenant(context), PolicyKind.Compliance);
            return GraphResults.Entity(context, "deviceManagement/deviceCompliancePolicyDeviceStateSummary/$entity", new JsonObject
            {
                ["id"] = "deviceCompliancePolicyDeviceStateSummary",
                ["inGracePeriodCount"] = s.InGracePeriodCount,
                ["configManagerCount"] = 0,
                ["unknownDeviceCount"] = s.UnknownDeviceCount,
                ["notApplicableDeviceCount"] = s.NotApplicableDeviceCount,
                ["compliantDeviceCount"] = s.CompliantDeviceCount,
                ["remediatedDeviceCount"] = s.RemediatedDeviceCount,
                ["nonCompliantDeviceCount"] = s.NonCompliantDeviceCount,
                ["errorDeviceCount"] = s.ErrorDeviceCount,
                ["conflictDeviceCount"] = s.ConflictDeviceCount,
            });
        })).RequirePermission(AdminPermissions.CompliancePoliciesRead);

        dm.MapGet("/deviceConfigurationDeviceStateSummaries", (HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            var s = await admin.SummaryAsync(Tenant(context), PolicyKind.Configuration);
            return GraphResults.Entity(context, "deviceManagement/deviceConfigurationDeviceStateSummaries/$entity", new JsonObject
            {
                ["id"] = "deviceConfigurationDeviceStateSummaries",
                ["unknownDeviceCount"] = s.UnknownDeviceCount,
                ["notApplicableDeviceCount"] = s.NotApplicableDeviceCount,
                ["compliantDeviceCount"] = s.CompliantDeviceCount,
                ["remediatedDeviceCount"] = s.RemediatedDeviceCount,
                ["nonCompliantDeviceCount"] = s.NonCompliantDeviceCount + s.InGracePeriodCount,
                ["errorDeviceCount"] = s.ErrorDeviceCount,
                ["conflictDeviceCount"] = s.ConflictDeviceCount,
            });
        })).RequirePermission(AdminPermissions.DeviceConfigurationsRead);

        dm.MapGet("/managedDevices/{id}/deviceCompliancePolicyStates", (string id, HttpContext context, PolicyAdministration admin) =>
            PolicyStatesAsync(id, context, admin, PolicyKind.Compliance)).RequirePermission(AdminPermissions.ManagedDevicesRead);
        dm.MapGet("/managedDevices/{id}/deviceConfigurationStates", (string id, HttpContext context, PolicyAdministration admin) =>
            PolicyStatesAsync(id, context, admin, PolicyKind.Configuration)).RequirePermission(AdminPermissions.ManagedDevicesRead);

        dm.MapGet("/managedDevices/{id}/complianceNotifications", (string id, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            var device = await admin.DeviceAsync(Tenant(context), id);
            var notifications = await device.GetNotificationsAsync();
            return GraphResults.Collection(context, $"deviceManagement/managedDevices('{id}')/complianceNotifications", notifications.Select(n => (JsonNode)new JsonObject
            {
                ["policyId"] = n.PolicyId,
                ["actionType"] = JsonNamingPolicy.CamelCase.ConvertName(n.Action.ToString()),
                ["notificationTemplateId"] = n.NotificationTemplateId,
                ["notificationMessageCCList"] = new JsonArray(n.CcList.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()),
                ["message"] = n.Message,
                ["sentDateTime"] = GraphResults.Date(n.SentDateTime),
            }));
        })).RequirePermission(AdminPermissions.ManagedDevicesRead);

        // The retire list that compliance "retire"/"wipe" actions fill; an admin confirms or dismisses each entry.
        dm.MapGet("/complianceRetireRequests", (HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            var requests = await (await admin.TenantAsync(Tenant(context))).ListRetireRequestsAsync();
            return GraphResults.Collection(context, "deviceManagement/complianceRetireRequests", requests.Select(r => (JsonNode)new JsonObject
            {
                ["id"] = r.DeviceId,
                ["managedDeviceId"] = r.DeviceId,
                ["policyId"] = r.PolicyId,
                ["actionType"] = JsonNamingPolicy.CamelCase.ConvertName(r.Action.ToString()),
                ["state"] = JsonNamingPolicy.CamelCase.ConvertName(r.State.ToString()),
                ["requestedDateTime"] = GraphResults.Date(r.RequestedDateTime),
                ["decidedDateTime"] = r.DecidedDateTime is { } at ? GraphResults.Date(at) : null,
            }));
        })).RequirePermission(AdminPermissions.ManagedDevicesRead);

        dm.MapPost("/complianceRetireRequests/{deviceId}/confirm", (string deviceId, HttpContext context, PolicyAdministration admin) =>
            DecideAsync(deviceId, confirm: true, context, admin)).RequirePermission(AdminPermissions.RemoteTasksRetire);
        dm.MapPost("/complianceRetireRequests/{deviceId}/dismiss", (string deviceId, HttpContext context, PolicyAdministration admin) =>
            DecideAsync(deviceId, confirm: false, context, admin)).RequirePermission(AdminPermissions.RemoteTasksRetire);

        // Conditional access: "is device X of this tenant managed and compliant".
        dm.MapGet("/conditionalAccess/devices/{id}", (string id, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
            GraphResults.Entity(context, "deviceManagement/conditionalAccess/devices/$entity", WriteVerdict(await admin.VerdictAsync(Tenant(context), id)))))
            .RequirePermission(AdminPermissions.ManagedDevicesRead);

        // Network access control: the same verdict, looked up by serial number or MAC address.
        dm.MapGet("/networkAccessControl/devices", (HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            var query = context.Request.Query;
            var verdict = await admin.VerdictByHardwareAsync(Tenant(context), query["serialNumber"].ToString(), query["macAddress"].ToString());
            return GraphResults.Entity(context, "deviceManagement/networkAccessControl/devices/$entity", WriteVerdict(verdict));
        })).RequirePermission(AdminPermissions.ManagedDevicesRead);

        return v1;
    }

    private static async Task<IResult> PolicyStatesAsync(string id, HttpContext context, PolicyAdministration admin, PolicyKind kind) =>
        await GraphResults.GuardAsync(async () =>
        {
            var statuses = await admin.DevicePolicyStatusesAsync(Tenant(context), id, kind);
            var path = kind == PolicyKind.Compliance ? "deviceCompliancePolicyStates" : "deviceConfigurationStates";
            return GraphResults.Collection(context, $"deviceManagement/managedDevices('{id}')/{path}", statuses.Select(s => (JsonNode)new JsonObject
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
        });

    private static async Task<IResult> DecideAsync(string deviceId, bool confirm, HttpContext context, PolicyAdministration admin) =>
        await GraphResults.GuardAsync(async () =>
        {
            await admin.DecideRetireAsync(Tenant(context), deviceId, confirm);
            return Results.NoContent();
        });

    private static JsonObject WriteDeviceManagement(string tenantId, ComplianceSettings settings) => new()
    {
        ["id"] = tenantId,
        ["settings"] = new JsonObject
        {
            ["deviceComplianceCheckinThresholdDays"] = settings.DeviceComplianceCheckinThresholdDays,
            ["isScheduledActionEnabled"] = settings.IsScheduledActionEnabled,
            ["secureByDefault"] = settings.SecureByDefault,
        },
    };

    private static JsonObject WriteVerdict(AccessVerdict verdict) => new()
    {
        ["id"] = verdict.DeviceId,
        ["isManaged"] = verdict.IsManaged,
        ["isCompliant"] = verdict.IsCompliant,
        ["complianceState"] = JsonNamingPolicy.CamelCase.ConvertName(verdict.ComplianceState.ToString()),
        ["managementState"] = JsonNamingPolicy.CamelCase.ConvertName(verdict.ManagementState.ToString()),
        ["lastSyncDateTime"] = GraphResults.Date(verdict.LastSyncDateTime),
    };

    private static string PlatformType(string odataType) => odataType switch
    {
        "windows10CompliancePolicy" or "windows10GeneralConfiguration" => "windows10AndLater",
        "iosCompliancePolicy" or "iosGeneralDeviceConfiguration" => "iOS",
        "macOSCompliancePolicy" or "macOSGeneralDeviceConfiguration" => "macOS",
        "androidWorkProfileCompliancePolicy" => "androidForWork",
        _ => "android",
    };

    private static int? ReadInt(JsonObject settings, string name) => settings[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        _ => throw new PolicyValidationException($"'{name}' must be an integer."),
    };

    private static bool? ReadBool(JsonObject settings, string name) => settings[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw new PolicyValidationException($"'{name}' must be a boolean."),
    };

    private static string Tenant(HttpContext context) => context.User.GetTenantId()!;
}
