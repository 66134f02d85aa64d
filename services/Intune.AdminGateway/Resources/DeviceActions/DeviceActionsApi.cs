using System.Text.Json;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Operations;
using Intune.Grains.Devices;
using Intune.Grains.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Resources.DeviceActions;

/// <summary>Remote actions: <c>POST /managedDevices/{id}/&lt;action&gt;</c> → 204. Actions are queued on the device and pushed to it.</summary>
public static class DeviceActionsApi
{
    public static RouteGroupBuilder MapDeviceActionsApi(this RouteGroupBuilder v1)
    {
        var devices = v1.MapGroup("/deviceManagement/managedDevices");
        foreach (var (kind, operation) in DeviceActionOperations.ByKind)
        {
            devices.MapPost($"/{{id}}/{DeviceActionService.ActionName(kind)}", (string id, HttpContext context, DeviceActionService actions, AuditRecorder audit) => RequestAsync(id, kind, context, actions, audit))
                .Is(operation);
        }

        return v1;
    }

    private static async Task<IResult> RequestAsync(string id, DeviceActionKind kind, HttpContext context, DeviceActionService actions, AuditRecorder audit)
    {
        var request = new DeviceActionRequest(kind);
        if (await GraphRequestBody.ReadObjectAsync(context) is { Count: > 0 } body)
        {
            DeviceActionService.EnsureTakesParameters(kind);
            foreach (var (name, value) in body)
            {
                var valueKind = value?.GetValueKind() ?? JsonValueKind.Null;
                switch (name)
                {
                    case "keepEnrollmentData" when valueKind is JsonValueKind.True or JsonValueKind.False:
                        request = request with { KeepEnrollmentData = (bool)value! };
                        break;
                    case "keepUserData" when valueKind is JsonValueKind.True or JsonValueKind.False:
                        request = request with { KeepUserData = (bool)value! };
                        break;
                    case "persistEsimDataPlan" when valueKind is JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null:
                        // eSIM plans are not modelled: the device keeps or drops nothing differently.
                        break;
                    case "macOsUnlockCode" when valueKind is JsonValueKind.String or JsonValueKind.Null:
                        request = request with { MacOsUnlockCode = (string?)value };
                        break;
                    case "keepEnrollmentData" or "keepUserData" when valueKind == JsonValueKind.Null:
                        // Clients that send every parameter send unset ones as null: Graph's default, false.
                        break;
                    case "keepEnrollmentData" or "keepUserData" or "persistEsimDataPlan":
                        throw new InvalidRequestException($"'{name}' must be a boolean.", name);
                    case "macOsUnlockCode":
                        throw new InvalidRequestException("'macOsUnlockCode' must be a string.", name);
                    default:
                        throw new InvalidRequestException($"The wipe action has no parameter '{name}'; it takes keepEnrollmentData, keepUserData, macOsUnlockCode and persistEsimDataPlan.", name);
                }
            }
        }

        await actions.RequestAsync(context.CallerTenantId(), id, request, audit);
        return Results.NoContent();
    }
}
