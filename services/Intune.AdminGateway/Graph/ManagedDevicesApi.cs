using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Graph;

/// <summary>
/// <c>/v1.0/deviceManagement/managedDevices</c>: list with OData <c>$filter $select $top $count
/// $orderby $skiptoken</c>, <c>/$count</c>, and get by id.
/// </summary>
public static class ManagedDevicesApi
{
    public static RouteGroupBuilder MapManagedDevicesApi(this RouteGroupBuilder v1)
    {
        var devices = v1.MapGroup("/deviceManagement/managedDevices");
        devices.MapGet("", ListAsync).RequirePermission(AdminPermissions.ManagedDevicesRead);
        devices.MapGet("/$count", CountAsync).RequirePermission(AdminPermissions.ManagedDevicesRead);
        devices.MapGet("/{id}", GetAsync).RequirePermission(AdminPermissions.ManagedDevicesRead);
        return v1;
    }

    private static async Task<IResult> ListAsync(HttpContext context, ManagedDeviceQueries queries)
    {
        if (!TryParse(context, out var request, out var error))
        {
            return error;
        }

        var result = await queries.QueryAsync(context.User.GetTenantId()!, request.Query);
        var baseUrl = BaseUrl(context);
        var select = request.Select is null ? string.Empty : $"({string.Join(',', request.Select)})";
        var body = new JsonObject
        {
            ["@odata.context"] = $"{baseUrl}/$metadata#deviceManagement/managedDevices{select}",
        };
        if (result.Count is { } count)
        {
            body["@odata.count"] = count;
        }

        var value = new JsonArray();
        foreach (var device in result.Devices)
        {
            value.Add(Project(JsonSerializer.SerializeToNode(ManagedDeviceResource.From(device), GraphJson.Options)!.AsObject(), request.Select));
        }

        body["value"] = value;
        if (result.Next is { } next)
        {
            // Absolute, with every option repeated: the SDK's PageIterator follows it verbatim.
            body["@odata.nextLink"] = $"{baseUrl}/deviceManagement/managedDevices?{request.NextLinkQuery(next)}";
        }

        return Results.Text(body.ToJsonString(GraphJson.Options), GraphJson.ContentType, Encoding.UTF8);
    }

    private static async Task<IResult> CountAsync(HttpContext context, ManagedDeviceQueries queries)
    {
        if (!TryParse(context, out var request, out var error))
        {
            return error;
        }

        var count = await queries.CountAsync(context.User.GetTenantId()!, request.Query.Filter);
        return Results.Text(count.ToString(CultureInfo.InvariantCulture), "text/plain", Encoding.UTF8);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, ManagedDeviceQueries queries)
    {
        IReadOnlyList<string>? select = null;
        if (context.Request.Query.ContainsKey("$select"))
        {
            if (!TryParse(context, out var request, out var error))
            {
                return error;
            }

            select = request.Select;
        }

        var device = await queries.GetAsync(context.User.GetTenantId()!, id);
        if (device is null)
        {
            return GraphErrors.NotFound($"No managedDevice with id '{id}' exists in this tenant.");
        }

        var body = Project(JsonSerializer.SerializeToNode(ManagedDeviceResource.From(device), GraphJson.Options)!.AsObject(), select);
        body.Insert(0, "@odata.context", $"{BaseUrl(context)}/$metadata#deviceManagement/managedDevices/$entity");
        return Results.Text(body.ToJsonString(GraphJson.Options), GraphJson.ContentType, Encoding.UTF8);
    }

    private static bool TryParse(HttpContext context, out ManagedDeviceQuery request, out IResult error)
    {
        try
        {
            request = ManagedDeviceQuery.Parse(context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()));
            error = Results.Empty;
            return true;
        }
        catch (InvalidQueryException e)
        {
            request = null!;
            error = GraphErrors.BadRequest(e.Message);
            return false;
        }
    }

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

    private static string BaseUrl(HttpContext context) =>
        $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/v1.0";
}
