using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Intune.AdminGateway.Graph;

/// <summary>
/// Graph's error envelope: <c>{"error":{"code","message","innerError":{"request-id","client-request-id","date"}}}</c>.
/// The SDK turns it into an <c>ODataError</c>; messages are written for the admin reading them.
/// </summary>
public static class GraphErrors
{
    public static IResult BadRequest(string message) => new GraphErrorResult(StatusCodes.Status400BadRequest, "BadRequest", message);

    public static IResult NotFound(string message) => new GraphErrorResult(StatusCodes.Status404NotFound, "ResourceNotFound", message);

    public static IResult Unauthorized(string message) => new GraphErrorResult(StatusCodes.Status401Unauthorized, "InvalidAuthenticationToken", message);

    public static IResult Forbidden(string message) => new GraphErrorResult(StatusCodes.Status403Forbidden, "Forbidden", message);

    public static Task WriteAsync(HttpContext context, int status, string code, string message) =>
        new GraphErrorResult(status, code, message).ExecuteAsync(context);

    private sealed class GraphErrorResult(int status, string code, string message) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            var body = new
            {
                error = new
                {
                    code,
                    message,
                    innerError = new Dictionary<string, string>
                    {
                        ["request-id"] = context.TraceIdentifier,
                        ["client-request-id"] = context.Request.Headers["client-request-id"].ToString() is { Length: > 0 } id ? id : context.TraceIdentifier,
                        ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
                    },
                },
            };
            await JsonSerializer.SerializeAsync(context.Response.Body, body, GraphJson.Options, context.RequestAborted);
        }
    }
}
