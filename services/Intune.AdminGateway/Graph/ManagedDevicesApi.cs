using System.Text;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Graph;

/// <summary><c>/v1.0/deviceManagement/managedDevices</c>.</summary>
public static class ManagedDevicesApi
{
    private static readonly HashSet<string> SupportedQueryOptions = ["$top", "$skiptoken"];

    public static RouteGroupBuilder MapManagedDevicesApi(this RouteGroupBuilder v1)
    {
        var devices = v1.MapGroup("/deviceManagement/managedDevices");
        devices.MapGet("", ListAsync).RequirePermission(AdminPermissions.ManagedDevicesRead);
        devices.MapGet("/{id}", GetAsync).RequirePermission(AdminPermissions.ManagedDevicesRead);
        return v1;
    }

    private static async Task<IResult> ListAsync(HttpContext context, ManagedDeviceQueries queries)
    {
        var query = context.Request.Query;
        if (query.Keys.FirstOrDefault(k => k.StartsWith('$') && !SupportedQueryOptions.Contains(k)) is { } unsupported)
        {
            return GraphErrors.BadRequest($"The query option '{unsupported}' is not supported on managedDevices yet; supported: {string.Join(", ", SupportedQueryOptions)}.");
        }

        var pageSize = ManagedDeviceQueries.DefaultPageSize;
        if (query.TryGetValue("$top", out var top) && (!int.TryParse(top, out pageSize) || pageSize < 1))
        {
            return GraphErrors.BadRequest($"$top must be a positive integer; got '{top}'.");
        }

        string? continuation = null;
        if (query.TryGetValue("$skiptoken", out var skipToken))
        {
            if (!TryDecodeSkipToken(skipToken.ToString(), out continuation))
            {
                return GraphErrors.BadRequest("$skiptoken is not one this service issued; follow @odata.nextLink as returned.");
            }
        }

        var page = await queries.ListAsync(context.User.GetTenantId()!, pageSize, continuation);
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/v1.0";
        var body = new Dictionary<string, object?>
        {
            ["@odata.context"] = $"{baseUrl}/$metadata#deviceManagement/managedDevices",
            ["value"] = page.Devices.Select(ManagedDeviceResource.From).ToList(),
        };
        if (page.ContinuationToken is { } next)
        {
            body["@odata.nextLink"] = $"{baseUrl}/deviceManagement/managedDevices?$top={Math.Clamp(pageSize, 1, ManagedDeviceQueries.MaxPageSize)}&$skiptoken={EncodeSkipToken(next)}";
        }

        return Results.Json(body, GraphJson.Options, GraphJson.ContentType);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, ManagedDeviceQueries queries)
    {
        var device = await queries.GetAsync(context.User.GetTenantId()!, id);
        if (device is null)
        {
            return GraphErrors.NotFound($"No managedDevice with id '{id}' exists in this tenant.");
        }

        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/v1.0";
        var resource = ManagedDeviceResource.From(device);
        var body = System.Text.Json.JsonSerializer.SerializeToNode(resource, GraphJson.Options)!.AsObject();
        body.Insert(0, "@odata.context", $"{baseUrl}/$metadata#deviceManagement/managedDevices/$entity");
        return Results.Text(body.ToJsonString(GraphJson.Options), GraphJson.ContentType, Encoding.UTF8);
    }

    private static string EncodeSkipToken(string continuation) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(continuation)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecodeSkipToken(string token, out string? continuation)
    {
        continuation = null;
        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        var buffer = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, buffer, out var written) || written == 0)
        {
            return false;
        }

        continuation = Encoding.UTF8.GetString(buffer, 0, written);
        return true;
    }
}
