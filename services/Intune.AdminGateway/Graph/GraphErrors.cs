using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Intune.AdminGateway.Graph;

/// <summary>
/// Graph's error envelope: <c>{"error":{"code","message","innerError":{"request-id","client-request-id","date"}}}</c>.
/// The SDK turns it into an <c>ODataError</c>; messages are written for the admin reading them.
/// Handlers do not build these: they throw the application's refusals, which
/// <see cref="Errors.GraphErrorFilter"/> turns into envelopes; the pipeline (authentication,
/// throttling, tenant moves, unhandled errors) writes its own with <see cref="WriteAsync"/>.
/// </summary>
public static class GraphErrors
{
    public static IResult Result(int status, string code, string message) => new GraphErrorResult(status, code, message);

    public static Task WriteAsync(HttpContext context, int status, string code, string message) =>
        new GraphErrorResult(status, code, message).ExecuteAsync(context);

    /// <summary>A <c>Retry-After</c> value: whole seconds, at least one.</summary>
    public static string Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private sealed class GraphErrorResult(int status, string code, string message) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => status;

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
