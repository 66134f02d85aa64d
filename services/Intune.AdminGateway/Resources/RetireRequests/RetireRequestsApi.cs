using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Resources.RetireRequests;

/// <summary><c>/v1.0/deviceManagement/complianceRetireRequests</c> with <c>confirm</c> and <c>dismiss</c>.</summary>
public static class RetireRequestsApi
{
    public static RouteGroupBuilder MapRetireRequestsApi(this RouteGroupBuilder v1)
    {
        var requests = v1.MapGroup("/deviceManagement/complianceRetireRequests");
        requests.MapGet("", async (HttpContext context, RetireRequestService retire) =>
            GraphResults.Collection(context, "deviceManagement/complianceRetireRequests", (await retire.ListAsync(context.CallerTenantId())).Select(r => (JsonNode?)new JsonObject
            {
                ["id"] = r.DeviceId,
                ["managedDeviceId"] = r.DeviceId,
                ["policyId"] = r.PolicyId,
                ["actionType"] = JsonNamingPolicy.CamelCase.ConvertName(r.Action.ToString()),
                ["state"] = JsonNamingPolicy.CamelCase.ConvertName(r.State.ToString()),
                ["requestedDateTime"] = GraphResults.Date(r.RequestedDateTime),
                ["decidedDateTime"] = r.DecidedDateTime is { } at ? GraphResults.Date(at) : null,
            })))
            .Is(RetireRequestOperations.List);
        requests.MapPost("/{deviceId}/confirm", (string deviceId, HttpContext context, RetireRequestService retire, AuditRecorder audit) =>
            DecideAsync(deviceId, confirm: true, context, retire, audit)).Is(RetireRequestOperations.Confirm);
        requests.MapPost("/{deviceId}/dismiss", (string deviceId, HttpContext context, RetireRequestService retire, AuditRecorder audit) =>
            DecideAsync(deviceId, confirm: false, context, retire, audit)).Is(RetireRequestOperations.Dismiss);
        return v1;
    }

    private static async Task<IResult> DecideAsync(string deviceId, bool confirm, HttpContext context, RetireRequestService retire, AuditRecorder audit)
    {
        await retire.DecideAsync(context.CallerTenantId(), deviceId, confirm, audit);
        return Results.NoContent();
    }
}
