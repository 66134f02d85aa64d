using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Grpc;
using Intune.AdminGateway.Moves;
using Intune.ClusterConfig;
using Intune.Routing;
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
        var auth = builder.Configuration.GetSection(AdminAuthOptions.SectionName).Get<AdminAuthOptions>() ?? new AdminAuthOptions();
        var signingKey = auth.Authority is null ? auth.ResolveSigningKey(builder.Environment.ContentRootPath) : null;
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(auth);
        if (signingKey is not null)
        {
            builder.Services.AddSingleton(sp => new AdminTokenIssuer(auth, signingKey, sp.GetRequiredService<TimeProvider>()));
        }

        builder.Services.AddSingleton<ManagedDeviceQueries>();
        builder.Services.AddSingleton<ManagedDeviceCommands>();
        builder.Services.AddSingleton<EnrollmentConfigurationService>();
        builder.Services.AddSingleton<EnrollmentTokenService>();
        builder.Services.AddSingleton<RoleManagement>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddScoped<AuditRecorder>();
        builder.Services.TryAddSingleton<IPermissionResolver, TenantRolePermissionResolver>();
        builder.Services.AddSingleton<PolicyAdministration>();
        builder.AddValidatedOptions<TenantMoveMarkOptions, TenantMoveMarkOptionsValidator>(TenantMoveMarkOptions.SectionName);
        builder.Services.TryAddSingleton<TenantMoveMarks>();
        builder.Services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.Authority = auth.Authority;
                o.RequireHttpsMetadata = auth.Authority is not null;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth.Issuer,
                    ValidAudience = auth.Audience,
                    IssuerSigningKey = signingKey,
                    RoleClaimType = AdminClaims.Roles,
                    NameClaimType = AdminClaims.UserPrincipalName,
                    ClockSkew = TimeSpan.FromMinutes(2),
                };
                o.Events = new JwtBearerEvents
                {
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
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, p => p.RequireAuthenticatedUser().RequireClaim(AdminClaims.TenantId));

        var limits = builder.Configuration.GetSection(AdminRateLimitOptions.SectionName).Get<AdminRateLimitOptions>() ?? new AdminRateLimitOptions();
        builder.Services.AddRateLimiter(o =>
        {
            o.AddPolicy(TenantRateLimitPolicy, context => RateLimitPartition.GetTokenBucketLimiter(
                context.User.GetTenantId() ?? string.Empty,
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.TokenLimit,
                    TokensPerPeriod = limits.TokensPerPeriod,
                    ReplenishmentPeriod = limits.ReplenishmentPeriod,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            o.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : limits.ReplenishmentPeriod;
                rejected.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await GraphErrors.WriteAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests, "TooManyRequests", $"Too many requests for this tenant; retry after {Math.Ceiling(retryAfter.TotalSeconds)} seconds.");
            };
        });

        var gateway = builder.AddValidatedOptions<GatewayListenOptions, GatewayListenOptionsValidator>(GatewayListenOptions.SectionName);
        builder.Services.AddGrpc().AddDevicesAdminGrpc();
        builder.Services.AddPolicyAdminGrpc();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Parse(gateway.ListenAddress), gateway.AdminPort, listen => listen.Protocols = HttpProtocols.Http1);
            // h2c: a cleartext endpoint must be HTTP/2 only, or gRPC silently falls back to HTTP/1.1 (PLATFORM.md).
            kestrel.Listen(IPAddress.Parse(gateway.ListenAddress), gateway.AdminGrpcPort, listen => listen.Protocols = HttpProtocols.Http2);
        });
        return builder;
    }

    public static WebApplication MapAdminGateway(this WebApplication app)
    {
        var gateway = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GatewayListenOptions>>().Value;
        // Only the admin port answers with Graph's envelope; the device gateway keeps gRPC's own error model.
        app.UseWhen(
            context => context.Connection.LocalPort == gateway.AdminPort,
            admin => admin.UseGraphExceptionHandler());
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseWhen(context => context.Connection.LocalPort == gateway.AdminPort, admin => admin.UseMiddleware<TenantMoveGate>());
        app.UseWhen(context => context.Connection.LocalPort == gateway.AdminPort, admin => admin.UseMiddleware<AuditMiddleware>());
        var v1 = app.MapGroup("/v1.0")
            .RequireHost($"*:{gateway.AdminPort}")
            .RequireAuthorization(AdminPolicy)
            .RequireRateLimiting(TenantRateLimitPolicy);
        v1.MapManagedDevicesApi();
        v1.MapManagedDeviceActionsApi();
        v1.MapEnrollmentConfigurationsApi();
        v1.MapAuditEventsApi();
        v1.MapRoleManagementApi();

        var grpcHost = $"*:{gateway.AdminGrpcPort}";
        app.MapGrpcService<ManagedDevicesGrpcService>().RequireHost(grpcHost);
        app.MapGrpcService<EnrollmentTokensGrpcService>().RequireHost(grpcHost);
        app.MapGrpcService<AuditEventsGrpcService>().RequireHost(grpcHost);
        app.MapGrpcService<RoleDefinitionsGrpcService>().RequireHost(grpcHost);
        app.MapDevicesAdminGrpc(grpcHost);
        app.MapGrpcService<DevicePoliciesGrpcService>().RequireHost(grpcHost);
        app.MapGrpcService<GroupsGrpcService>().RequireHost(grpcHost);
        app.MapGrpcService<TenantComplianceGrpcService>().RequireHost(grpcHost);
        app.MapGrpcService<AccessVerdictsGrpcService>().RequireHost(grpcHost);
        v1.MapPoliciesApi();
        v1.MapGroupsApi();
        v1.MapDeviceManagementComplianceApi();
        v1.MapUsersApi();
        return app;
    }

    /// <summary>
    /// Unhandled exceptions become Graph's envelope: a request Kestrel refused (too large,
    /// malformed) stays a 4xx; anything else is a 500 whose body names only the request id,
    /// never the exception.
    /// </summary>
    public static IApplicationBuilder UseGraphExceptionHandler(this IApplicationBuilder app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteUnhandledAsync });

    private static Task WriteUnhandledAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        if (error is Microsoft.AspNetCore.Http.BadHttpRequestException bad)
        {
            return GraphErrors.WriteAsync(context, bad.StatusCode, "BadRequest", "The request could not be read; check its size, headers and body.");
        }

        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Intune.AdminGateway")
            .LogError(error, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
        return GraphErrors.WriteAsync(context, StatusCodes.Status500InternalServerError, "InternalServerError", $"An unexpected error occurred. Quote request-id {context.TraceIdentifier} when reporting it.");
    }
}
