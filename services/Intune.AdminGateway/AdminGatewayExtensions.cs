using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Intune.AdminGateway.AdminCenter;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Errors;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Graph.Batch;
using Intune.AdminGateway.Grpc;
using Intune.AdminGateway.Moves;
using Intune.AdminGateway.Operations;
using Intune.AdminGateway.RateLimiting;
using Intune.AdminGateway.Resources.AccessVerdicts;
using Intune.AdminGateway.Resources.AdminObjects;
using Intune.AdminGateway.Resources.AppConfigurations;
using Intune.AdminGateway.Resources.AuditEvents;
using Intune.AdminGateway.Resources.DeviceActions;
using Intune.AdminGateway.Resources.DeviceCategories;
using Intune.AdminGateway.Resources.EnrollmentConfigurations;
using Intune.AdminGateway.Resources.EnrollmentTokens;
using Intune.AdminGateway.Resources.Groups;
using Intune.AdminGateway.Resources.ManagedDevices;
using Intune.AdminGateway.Resources.MobileApps;
using Intune.AdminGateway.Resources.NotificationMessageTemplates;
using Intune.AdminGateway.Resources.Policies;
using Intune.AdminGateway.Resources.RetireRequests;
using Intune.AdminGateway.Resources.Roles;
using Intune.AdminGateway.Resources.RoleScopeTags;
using Intune.AdminGateway.Resources.TenantSettings;
using Intune.AdminGateway.Resources.TermsAndConditions;
using Intune.AdminGateway.Resources.Users;
using Intune.ClusterConfig;
using Intune.Routing;
using Intune.ServiceDefaults;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Intune.AdminGateway;

public static class AdminGatewayExtensions
{
    public const string AdminPolicy = "IntuneAdmin";
    public const string TenantRateLimitPolicy = "PerTenant";

    /// <summary>
    /// Adds the admin gateway: an HTTP/1.1 endpoint for Graph REST, JWT bearer auth whose tenant
    /// is the token's <c>tid</c>, and the application layer. Needs an <see cref="IGrainFactory"/>.
    /// </summary>
    public static WebApplicationBuilder AddAdminGateway(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        var gateway = builder.AddAdminOptions();
        builder.Services.AddAdminApplication();
        builder.Services.AddAdminAuthentication();
        builder.Services.AddAdminRateLimiting();
        builder.Services.AddAdminGrpc();
        builder.Services.AddLocalPortRouting();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Parse(gateway.ListenAddress), gateway.AdminPort, listen => listen.Protocols = HttpProtocols.Http1);
            // h2c: a cleartext endpoint must be HTTP/2 only, or gRPC silently falls back to HTTP/1.1.
            kestrel.Listen(IPAddress.Parse(gateway.ListenAddress), gateway.AdminGrpcPort, listen => listen.Protocols = HttpProtocols.Http2);
        });
        return builder;
    }

    public static WebApplication MapAdminGateway(this WebApplication app)
    {
        var gateway = app.Services.GetRequiredService<GatewayListenOptions>();
        bool Admin(HttpContext context) => context.Connection.LocalPort == gateway.AdminPort;

        // Only the admin port answers with Graph's envelope; the device gateway keeps gRPC's own error model.
        app.UseWhen(Admin, admin => admin.UseGraphExceptionHandler());
        // A $batch runs each of its requests through everything from routing on, as if each came alone.
        app.UseWhen(context => Admin(context) && GraphBatch.IsBatch(context.Request), batch => batch.UseMiddleware<GraphBatch>());
        app.UseRouting();
        app.UseWhen(Admin, admin => admin.UseMiddleware<GraphUnknownRoute>());
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseWhen(Admin, admin => admin.UseMiddleware<TenantMoveGate>());

        // Every Graph endpoint, under each version root: refusals become Graph's envelope
        // (outermost), then its operation's permission is demanded and, for a change, its audit event written.
        foreach (var version in GraphVersions.All)
        {
            var v1 = app.MapGroup($"/{version}")
                .RequireLocalPort(gateway.AdminPort)
                .RequireAuthorization(AdminPolicy)
                .RequireRateLimiting(TenantRateLimitPolicy)
                .AddEndpointFilter<GraphErrorFilter>()
                .AddEndpointFilter<AdminOperationFilter>();
            v1.MapManagedDevicesApi();
            v1.MapDeviceActionsApi();
            v1.MapPoliciesApi();
            v1.MapGroupsApi();
            v1.MapUsersApi();
            v1.MapEnrollmentConfigurationsApi();
            v1.MapRolesApi();
            v1.MapAuditEventsApi();
            v1.MapTenantSettingsApi();
            v1.MapRetireRequestsApi();
            v1.MapAccessVerdictsApi();
            v1.MapMobileAppsApi();
            v1.MapAppConfigurationsApi();
            v1.MapAdminObjectsApi(DeviceCategories.Kind);
            v1.MapAdminObjectsApi(TermsAndConditions.Kind);
            v1.MapAdminObjectsApi(NotificationMessageTemplates.Templates);
            v1.MapAdminObjectsApi(NotificationMessageTemplates.LocalizedMessages);
            if (version == GraphVersions.Beta)
            {
                // Resources Graph has in beta only.
                v1.MapRoleScopeTagsApi();
            }
        }

        app.MapAdminGrpc(gateway.AdminGrpcPort);
        app.MapAdminCenter(gateway.AdminPort);
        return app;
    }

    /// <summary>
    /// Every section the admin gateway reads, bound once and validated at start-up (a bad field
    /// names itself): listen ports, admin auth, rate limits, the admin center, move marks.
    /// </summary>
    private static GatewayListenOptions AddAdminOptions(this WebApplicationBuilder builder)
    {
        var gateway = builder.AddValidatedOptions<GatewayListenOptions, GatewayListenOptionsValidator>(GatewayListenOptions.SectionName);
        builder.AddValidatedOptions(AdminAuthOptions.SectionName, new AdminAuthOptionsValidator(builder.Environment));
        builder.AddValidatedOptions<AdminRateLimitOptions, AdminRateLimitOptionsValidator>(AdminRateLimitOptions.SectionName);
        builder.AddValidatedOptions(AdminCenterOptions.SectionName, new AdminCenterOptionsValidator(builder.Environment));
        builder.AddValidatedOptions<TenantMoveMarkOptions, TenantMoveMarkOptionsValidator>(TenantMoveMarkOptions.SectionName);
        builder.Services.TryAddSingleton<TenantMoveMarks>();
        return gateway;
    }

    /// <summary>The application services, one per resource, and the plumbing both fronts share.</summary>
    private static void AddAdminApplication(this IServiceCollection services)
    {
        services.AddSingleton<ManagedDeviceQueryService>();
        services.AddSingleton<ManagedDeviceCommands>();
        services.AddSingleton<DeviceActionService>();
        services.AddSingleton<PolicyService>();
        services.AddSingleton<GroupService>();
        services.AddSingleton<UserService>();
        services.AddSingleton<EnrollmentConfigurationService>();
        services.AddSingleton<EnrollmentTokenService>();
        services.AddSingleton<RoleService>();
        services.AddSingleton<RoleScopeTagService>();
        services.AddSingleton<AdminObjectService>();
        services.AddSingleton<AuditEventService>();
        services.AddSingleton<TenantSettingsService>();
        services.AddSingleton<RetireRequestService>();
        services.AddSingleton<AccessVerdictService>();
        services.AddSingleton<MobileAppService>();
        services.AddSingleton<AppConfigurationService>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AuditWriter>();
        services.AddSingleton<FailedAttemptAudit>();
        services.AddScoped<AuditRecorder>();
        services.TryAddSingleton<IPermissionResolver, TenantRolePermissionResolver>();
    }

    /// <summary>JWT bearer auth whose tenant is the token's <c>tid</c>; 401/403 in Graph's envelope.</summary>
    private static void AddAdminAuthentication(this IServiceCollection services)
    {
        services.AddSingleton(sp => AdminSigningKey.Resolve(sp.GetRequiredService<AdminAuthOptions>(), sp.GetRequiredService<IHostEnvironment>()));
        // Only when tokens are signed locally; with an OIDC authority there is nothing to issue them with (null: not registered).
        services.AddSingleton(sp => sp.GetRequiredService<AdminSigningKey>().Key is { } key
            ? new AdminTokenIssuer(sp.GetRequiredService<AdminAuthOptions>(), key, sp.GetRequiredService<TimeProvider>())
            : null!);
        services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<AdminAuthOptions, AdminSigningKey>((o, auth, signing) =>
        {
            o.MapInboundClaims = false;
            o.Authority = auth.Authority;
            o.RequireHttpsMetadata = auth.Authority is not null;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = auth.Issuer,
                ValidAudience = auth.Audience,
                IssuerSigningKey = signing.Key,
                // Pinned, so a token cannot pick its own algorithm (none, or HMAC keyed with a public key).
                ValidAlgorithms = auth.ValidAlgorithms(),
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                RoleClaimType = AdminClaims.Roles,
                NameClaimType = AdminClaims.UserPrincipalName,
                ClockSkew = TimeSpan.FromMinutes(2),
            };
            o.Events = new JwtBearerEvents
            {
                OnTokenValidated = context =>
                {
                    if (AdminTokenRules.Refusal(context.SecurityToken, context.Principal!, auth) is { } refusal)
                    {
                        context.Fail(refusal);
                    }

                    return Task.CompletedTask;
                },
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    var message = context.AuthenticateFailure is null
                        ? "Access token is empty. Send 'Authorization: Bearer <token>'."
                        : "Access token validation failure: the token is invalid, expired or not issued for this service.";
                    await GraphErrors.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "InvalidAuthenticationToken", message);
                },
                OnForbidden = context => GraphErrors.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden", "The caller's roles do not allow this operation."),
            };
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, p => p.RequireAuthenticatedUser().RequireClaim(AdminClaims.TenantId));
    }

    /// <summary>A token bucket per tenant, shared by REST and gRPC: 429 with Retry-After in Graph's envelope, or gRPC's ResourceExhausted.</summary>
    private static void AddAdminRateLimiting(this IServiceCollection services) =>
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(TenantRateLimitPolicy, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<AdminRateLimitOptions>>().Value;
                return RateLimitPartition.GetTokenBucketLimiter(
                    context.User.GetTenantId() ?? string.Empty,
                    _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = limits.TokenLimit,
                        TokensPerPeriod = limits.TokensPerPeriod,
                        ReplenishmentPeriod = limits.ReplenishmentPeriod,
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    });
            });
            o.OnRejected = async (rejected, cancellationToken) =>
            {
                var limits = rejected.HttpContext.RequestServices.GetRequiredService<IOptions<AdminRateLimitOptions>>().Value;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : limits.ReplenishmentPeriod;
                var message = $"Too many requests for this tenant; retry after {Math.Ceiling(retryAfter.TotalSeconds)} seconds.";
                var response = rejected.HttpContext.Response;
                if (rejected.HttpContext.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
                {
                    // gRPC's answer (one budget per tenant across both fronts): a trailers-only
                    // ResourceExhausted with the retry pushback trailer, as RpcException would give.
                    response.StatusCode = StatusCodes.Status200OK;
                    response.ContentType = "application/grpc";
                    response.Headers["grpc-status"] = ((int)global::Grpc.Core.StatusCode.ResourceExhausted).ToString(CultureInfo.InvariantCulture);
                    response.Headers["grpc-message"] = Uri.EscapeDataString(message);
                    response.Headers[TenantMoveRouting.RetryPushbackTrailer] = ((long)Math.Ceiling(retryAfter.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
                    return;
                }

                response.Headers.RetryAfter = GraphErrors.Seconds(retryAfter);
                await GraphErrors.WriteAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests, "TooManyRequests", message);
            };
        });

    /// <summary>
    /// Unhandled exceptions become Graph's envelope: a request Kestrel refused (too large,
    /// malformed) stays a 4xx; anything else is a 500 whose body names only the request id,
    /// never the exception.
    /// </summary>
    public static IApplicationBuilder UseGraphExceptionHandler(this IApplicationBuilder app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = context => WriteUnhandledAsync(context, context.Features.Get<IExceptionHandlerFeature>()?.Error) });

    /// <summary>The answer to an unhandled exception; also a $batch sub-request's, which runs past the handler above.</summary>
    internal static Task WriteUnhandledAsync(HttpContext context, Exception? error)
    {
        if (error is Microsoft.AspNetCore.Http.BadHttpRequestException bad)
        {
            return GraphErrors.WriteAsync(context, bad.StatusCode, "BadRequest", "The request could not be read; check its size, headers and body.");
        }

        // A unit that did not answer the middleware before the endpoint (the move gate's mark lookup) is a 503 as at the endpoint.
        if (error is not null && RoutingFailures.AsRefusal(error) is { } refused)
        {
            return GraphErrorFilter.ToGraph(context, refused).ExecuteAsync(context);
        }

        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Intune.AdminGateway")
            .LogError(error, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
        return GraphErrors.WriteAsync(context, StatusCodes.Status500InternalServerError, "InternalServerError", $"An unexpected error occurred. Quote request-id {context.TraceIdentifier} when reporting it.");
    }
}
