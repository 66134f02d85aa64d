using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Auth;
using Intune.Grains.Devices;
using Intune.Grains.Policies;
using Intune.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Intune.AdminGateway.AdminCenter;

/// <summary>Where the admin center's built files are and how it signs users in (section <c>AdminCenter</c>).</summary>
public sealed class AdminCenterOptions
{
    public const string SectionName = "AdminCenter";

    /// <summary>The repository-relative folder <c>npm run build</c> writes; found upwards from the content root and the app's folder.</summary>
    public const string BuiltFolder = "services/Intune.AdminCenter/dist";

    /// <summary>A folder holding the built files (index.html and assets/); unset: <see cref="BuiltFolder"/>.</summary>
    public string? RootPath { get; set; }

    /// <summary>The OIDC client id the browser signs in as (a public client: authorization code with PKCE, no secret).</summary>
    public string? ClientId { get; set; }

    /// <summary>Scopes the browser asks for; the access token's audience must be <c>AdminAuth:Audience</c>.</summary>
    public string Scope { get; set; } = "openid profile";

    /// <summary>The client route the authority redirects back to (register it at the authority as origin + this path).</summary>
    public string RedirectPath { get; set; } = "/signin-oidc";
}

/// <summary>
/// Serves the admin center on the admin port: the built single-page app under <c>/</c> (client
/// routes fall back to index.html) and three small endpoints it needs besides the Graph API —
/// its sign-in configuration, the caller's resolved permissions and the policy schemas. Paths of
/// the API and the host (<c>/v1.0</c>, <c>/health</c>, <c>/alive</c>, <c>/metrics</c>) are never answered here.
/// </summary>
public static class AdminCenterExtensions
{
    private static readonly string[] ReservedPrefixes = ["/v1.0", "/beta", "/health", "/alive", "/metrics", "/admin-center", "/dashboard"];

    public static WebApplication MapAdminCenter(this WebApplication app, int adminPort)
    {
        var options = app.Services.GetRequiredService<AdminCenterOptions>();
        var auth = app.Services.GetRequiredService<AdminAuthOptions>();

        app.MapGet("/admin-center/config", () => Results.Json(Config(options, auth))).RequireLocalPort(adminPort).AllowAnonymous();
        app.MapGet("/admin-center/policy-schemas", () => Results.Text(SchemasJson.Value, "application/json")).RequireLocalPort(adminPort).AllowAnonymous();
        app.MapGet("/admin-center/session", SessionAsync).RequireLocalPort(adminPort).RequireAuthorization(AdminGatewayExtensions.AdminPolicy);

        var root = ResolveRoot(options, app.Environment);
        if (root is null)
        {
            app.Logger.LogWarning("The admin center is not built ({Folder} not found); run ./build.sh, which builds it with npm.", AdminCenterOptions.BuiltFolder);
        }

        app.UseWhen(
            // Only reads: any other method on an app path falls through to the Graph-envelope 404.
            context => context.Connection.LocalPort == adminPort && IsAppPath(context.Request.Path) && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)),
            ui => ServeApp(ui, root));
        return app;
    }

    private static bool IsAppPath(PathString path) => !ReservedPrefixes.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));

    private static void ServeApp(IApplicationBuilder ui, string? root)
    {
        if (root is null)
        {
            ui.Run(context => WriteNotBuiltAsync(context));
            return;
        }

        var files = new PhysicalFileProvider(root);
        ui.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            // Vite names assets by content hash, so they never change under one name; index.html must be revalidated.
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl =
                file.Context.Request.Path.StartsWithSegments("/assets") ? "public, max-age=31536000, immutable" : "no-cache",
        });
        ui.Use(async (context, next) =>
        {
            // Client routes (/devices/…) have no file of their own: the app's shell answers them and routes in the browser.
            var isPage = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
            if (!isPage || context.GetEndpoint() is not null || Path.HasExtension(context.Request.Path.Value))
            {
                await next(context);
                return;
            }

            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.Headers.CacheControl = "no-cache";
            await context.Response.SendFileAsync(files.GetFileInfo("index.html"));
        });
    }

    private static Task WriteNotBuiltAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync($"The admin center is not built here: run ./build.sh (it needs node and npm), or point AdminCenter:RootPath at a built {AdminCenterOptions.BuiltFolder} folder.");
    }

    /// <summary>Development signs in with pasted development tokens; with an authority, only OIDC (the API then refuses development tokens too).</summary>
    private static JsonObject Config(AdminCenterOptions options, AdminAuthOptions auth)
    {
        var config = new JsonObject { ["mode"] = auth.Authority is null ? "development" : "production" };
        if (auth.Authority is not null && !string.IsNullOrWhiteSpace(options.ClientId))
        {
            config["oidc"] = new JsonObject
            {
                ["authority"] = auth.Authority,
                ["clientId"] = options.ClientId,
                ["scope"] = options.Scope,
                ["redirectPath"] = options.RedirectPath,
            };
        }

        return config;
    }

    /// <summary>Who the token names and what its roles grant, resolved as the API's own permission checks resolve them.</summary>
    private static async Task<IResult> SessionAsync(HttpContext context, IPermissionResolver resolver)
    {
        var user = context.User;
        var permissions = await resolver.ResolveAsync(user, context.RequestAborted);
        return Results.Json(new JsonObject
        {
            ["tenantId"] = user.GetTenantId(),
            ["userPrincipalName"] = user.FindFirst(AdminClaims.UserPrincipalName)?.Value,
            ["roles"] = new JsonArray(user.FindAll(AdminClaims.Roles).Select(r => (JsonNode?)r.Value).ToArray()),
            ["permissions"] = new JsonArray(permissions.Order(StringComparer.Ordinal).Select(p => (JsonNode?)p).ToArray()),
        });
    }

    /// <summary>The policy types the service validates against, so the UI's forms are generated from the same schemas.</summary>
    private static readonly Lazy<string> SchemasJson = new(() => new JsonArray(PolicySchemas.All.Select(s => (JsonNode?)new JsonObject
    {
        ["odataType"] = s.ODataType,
        ["kind"] = JsonNamingPolicy.CamelCase.ConvertName(s.Kind.ToString()),
        ["platforms"] = new JsonArray(s.Platforms.Select(p => (JsonNode?)p.OperatingSystem()).ToArray()),
        ["settings"] = new JsonArray(s.Settings.Select(setting => (JsonNode?)new JsonObject
        {
            ["name"] = setting.Name,
            ["type"] = setting.Type.ToString().ToLowerInvariant(),
            ["nullable"] = setting.Nullable,
            ["enumValues"] = setting.EnumValues is null ? null : new JsonArray(setting.EnumValues.Select(v => (JsonNode?)v).ToArray()),
        }).ToArray()),
    }).ToArray()).ToJsonString());

    private static string? ResolveRoot(AdminCenterOptions options, IWebHostEnvironment environment)
    {
        if (!string.IsNullOrWhiteSpace(options.RootPath))
        {
            // The validator has checked that it holds index.html.
            return Path.GetFullPath(options.RootPath, environment.ContentRootPath);
        }

        foreach (var start in new[] { environment.ContentRootPath, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, AdminCenterOptions.BuiltFolder);
                if (File.Exists(Path.Combine(candidate, "index.html")))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
