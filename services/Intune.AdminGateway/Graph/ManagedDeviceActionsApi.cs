using System.Text.Json;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.Grains.Devices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Graph;

/// <summary>
/// Remote actions (<c>POST /managedDevices/{id}/&lt;action&gt;</c> → 204), <c>PATCH</c> and
/// <c>DELETE</c> of a managed device. Actions are queued on the device and pushed to it.
/// </summary>
public static class ManagedDeviceActionsApi
{
    public static RouteGroupBuilder MapManagedDeviceActionsApi(this RouteGroupBuilder v1)
    {
        var devices = v1.MapGroup("/deviceManagement/managedDevices");
        foreach (var (kind, permission) in ManagedDeviceCommands.ActionPermissions)
        {
            devices.MapPost($"/{{id}}/{ManagedDeviceCommands.ActionName(kind)}", (string id, HttpContext context, ManagedDeviceCommands commands, AuditRecorder audit) => RequestActionAsync(id, kind, context, commands, audit))
                .RequirePermission(permission);
        }

        devices.MapPatch("/{id}", UpdateAsync).RequirePermission(AdminPermissions.ManagedDevicesUpdate);
        devices.MapDelete("/{id}", DeleteAsync).RequirePermission(AdminPermissions.ManagedDevicesDelete);
        return v1;
    }

    private static async Task<IResult> RequestActionAsync(string id, DeviceActionKind kind, HttpContext context, ManagedDeviceCommands commands, AuditRecorder audit)
    {
        var body = await ReadBodyAsync(context);
        if (body.Error is { } error)
        {
            return error;
        }

        var request = new DeviceActionRequest(kind);
        if (body.Json is { } json)
        {
            if (json.ValueKind != JsonValueKind.Object)
            {
                return GraphErrors.BadRequest("The request body must be a JSON object.");
            }

            if (json.EnumerateObject().Any())
            {
                try
                {
                    ManagedDeviceCommands.EnsureTakesParameters(kind);
                }
                catch (AdminInputException e)
                {
                    return GraphErrors.BadRequest(e.Message);
                }

                foreach (var property in json.EnumerateObject())
                {
                    switch (property.Name)
                    {
                        case "keepEnrollmentData" when property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                            request = request with { KeepEnrollmentData = property.Value.GetBoolean() };
                            break;
                        case "keepUserData" when property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                            request = request with { KeepUserData = property.Value.GetBoolean() };
                            break;
                        case "persistEsimDataPlan" when property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null:
                            // eSIM plans are not modelled: the device keeps or drops nothing differently.
                            break;
                        case "macOsUnlockCode" when property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null:
                            request = request with { MacOsUnlockCode = property.Value.GetString() };
                            break;
                        case "keepEnrollmentData" or "keepUserData" when property.Value.ValueKind == JsonValueKind.Null:
                            // Clients that send every parameter send unset ones as null: Graph's default, false.
                            break;
                        case "keepEnrollmentData" or "keepUserData" or "persistEsimDataPlan":
                            return GraphErrors.BadRequest($"'{property.Name}' must be a boolean.");
                        case "macOsUnlockCode":
                            return GraphErrors.BadRequest("'macOsUnlockCode' must be a string.");
                        default:
                            return GraphErrors.BadRequest($"The wipe action has no parameter '{property.Name}'; it takes keepEnrollmentData, keepUserData, macOsUnlockCode and persistEsimDataPlan.");
                    }
                }
            }
        }

        return await commands.RequestActionAsync(context.User.GetTenantId()!, id, request, audit)
            ? Results.NoContent()
            : GraphErrors.NotFound($"No managedDevice with id '{id}' exists in this tenant.");
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext context, ManagedDeviceCommands commands, AuditRecorder audit)
    {
        var body = await ReadBodyAsync(context);
        if (body.Error is { } error)
        {
            return error;
        }

        if (body.Json is not { ValueKind: JsonValueKind.Object } json)
        {
            return GraphErrors.BadRequest("PATCH needs a JSON object with the properties to change.");
        }

        var update = new ManagedDeviceUpdate();
        foreach (var property in json.EnumerateObject())
        {
            switch (property.Name)
            {
                case "@odata.type" when property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() == "#microsoft.graph.managedDevice":
                    break;
                case "@odata.type":
                    return GraphErrors.BadRequest("'@odata.type' must be '#microsoft.graph.managedDevice'.");
                case "notes" when property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null:
                    update = update with { Notes = property.Value.GetString() ?? string.Empty };
                    break;
                case "notes":
                    return GraphErrors.BadRequest("'notes' must be a string.");
                case "managedDeviceOwnerType" when property.Value.ValueKind == JsonValueKind.String:
                    try
                    {
                        update = update with { Ownership = ManagedDeviceCommands.ParseOwnerType(property.Value.GetString()) };
                    }
                    catch (AdminInputException e)
                    {
                        return GraphErrors.BadRequest(e.Message);
                    }

                    break;
                case "managedDeviceOwnerType":
                    return GraphErrors.BadRequest("'managedDeviceOwnerType' must be a string: 'company' or 'personal'.");
                default:
                    // Everything else on a managedDevice is reported by the device itself.
                    return GraphErrors.BadRequest($"The property '{property.Name}' cannot be changed; updatable properties: notes, managedDeviceOwnerType.");
            }
        }

        return await commands.UpdateAsync(context.User.GetTenantId()!, id, update, audit) is null
            ? GraphErrors.NotFound($"No managedDevice with id '{id}' exists in this tenant.")
            : Results.NoContent();
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext context, ManagedDeviceCommands commands, AuditRecorder audit) =>
        await commands.DeleteAsync(context.User.GetTenantId()!, id, audit)
            ? Results.NoContent()
            : GraphErrors.NotFound($"No managedDevice with id '{id}' exists in this tenant.");

    /// <summary>The body as JSON, or none when it is empty (Graph actions are sent with Content-Length: 0).</summary>
    private static async Task<(JsonElement? Json, IResult? Error)> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException ex)
        {
            return (null, GraphErrors.BadRequest($"The request body is not valid JSON: {ex.Message}"));
        }
    }
}
