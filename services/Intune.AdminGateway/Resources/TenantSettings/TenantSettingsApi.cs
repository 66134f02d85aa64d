using System.Text.Json.Nodes;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Operations;
using Intune.Grains.Errors;
using Intune.Grains.Tenants;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Resources.TenantSettings;

/// <summary>Tenant compliance settings: <c>GET/PATCH /v1.0/deviceManagement</c>.</summary>
public static class TenantSettingsApi
{
    public static RouteGroupBuilder MapTenantSettingsApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/deviceManagement", async (HttpContext context, TenantSettingsService settings) =>
            GraphResults.Entity(context, "deviceManagement", WriteDeviceManagement(context.CallerTenantId(), await settings.GetAsync(context.CallerTenantId()))))
            .Is(TenantSettingsOperations.Get);

        v1.MapPatch("/deviceManagement", async (HttpContext context, TenantSettingsService settings, AuditRecorder audit) =>
        {
            var body = await GraphRequestBody.ReadRequiredObjectAsync(context);
            if (body["settings"] is not JsonObject values)
            {
                throw new InvalidRequestException("PATCH /deviceManagement takes {\"settings\": {\"deviceComplianceCheckinThresholdDays\": …, \"secureByDefault\": …, \"isScheduledActionEnabled\": …}}.", "settings");
            }

            if (values.Select(p => p.Key).FirstOrDefault(k => !k.StartsWith('@') && k is not ("deviceComplianceCheckinThresholdDays" or "secureByDefault" or "isScheduledActionEnabled")) is { } unknown)
            {
                throw new InvalidRequestException($"'{unknown}' is not a property of deviceManagementSettings.", unknown);
            }

            await settings.UpdateAsync(
                context.CallerTenantId(),
                ReadInt(values, "deviceComplianceCheckinThresholdDays"),
                ReadBool(values, "secureByDefault"),
                ReadBool(values, "isScheduledActionEnabled"),
                audit);
            return Results.NoContent();
        }).Is(TenantSettingsOperations.Update);

        return v1;
    }

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

    private static int? ReadInt(JsonObject settings, string name) => settings[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        _ => throw new InvalidRequestException($"'{name}' must be an integer.", name),
    };

    private static bool? ReadBool(JsonObject settings, string name) => settings[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw new InvalidRequestException($"'{name}' must be a boolean.", name),
    };
}
