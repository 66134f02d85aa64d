using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Operations;
using Intune.Grains.Devices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Resources.AccessVerdicts;

/// <summary>
/// Conditional access (<c>/deviceManagement/conditionalAccess/devices/{id}</c>) and network access
/// control (<c>/deviceManagement/networkAccessControl/devices?serialNumber=…|macAddress=…</c>).
/// </summary>
public static class AccessVerdictsApi
{
    public static RouteGroupBuilder MapAccessVerdictsApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/deviceManagement/conditionalAccess/devices/{id}", async (string id, HttpContext context, AccessVerdictService verdicts) =>
            GraphResults.Entity(context, "deviceManagement/conditionalAccess/devices/$entity", ToGraph(await verdicts.ByDeviceAsync(context.CallerTenantId(), id))))
            .Is(AccessVerdictOperations.ConditionalAccess);

        v1.MapGet("/deviceManagement/networkAccessControl/devices", async (HttpContext context, AccessVerdictService verdicts) =>
        {
            var query = context.Request.Query;
            var verdict = await verdicts.ByHardwareAsync(context.CallerTenantId(), query["serialNumber"].ToString(), query["macAddress"].ToString());
            return GraphResults.Entity(context, "deviceManagement/networkAccessControl/devices/$entity", ToGraph(verdict));
        }).Is(AccessVerdictOperations.NetworkAccessControl);

        return v1;
    }

    private static JsonObject ToGraph(AccessVerdict verdict) => new()
    {
        ["id"] = verdict.DeviceId,
        ["isManaged"] = verdict.IsManaged,
        ["isCompliant"] = verdict.IsCompliant,
        ["complianceState"] = JsonNamingPolicy.CamelCase.ConvertName(verdict.ComplianceState.ToString()),
        ["managementState"] = JsonNamingPolicy.CamelCase.ConvertName(verdict.ManagementState.ToString()),
        ["lastSyncDateTime"] = GraphResults.Date(verdict.LastSyncDateTime),
    };
}
