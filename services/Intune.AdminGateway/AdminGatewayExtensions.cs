using System.Net;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.ClusterConfig;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Intune.AdminGateway;

public static class AdminGatewayExtensions
{
    public const string AdminPolicy = "IntuneAdmin";

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
        builder.Services.AddSingleton<PolicyAdministration>();
        builder.Services.TryAddSingleton<IPermissionResolver, BuiltInRolePermissionResolver>();
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

        var gateway = builder.Configuration.GetSection(GatewayListenOptions.SectionName).Get<GatewayListenOptions>() ?? new GatewayListenOptions();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Parse(gateway.ListenAddress), gateway.AdminPort, listen => listen.Protocols = HttpProtocols.Http1));
        return builder;
    }

    public static WebApplication MapAdminGateway(this WebApplication app)
    {
        var gateway = app.Configuration.GetSection(GatewayListenOptions.SectionName).Get<GatewayListenOptions>() ?? new GatewayListenOptions();
        app.UseAuthentication();
        app.UseAuthorization();
        var v1 = app.MapGroup("/v1.0")
            .RequireHost($"*:{gateway.AdminPort}")
            .RequireAuthorization(AdminPolicy);
        v1.MapManagedDevicesApi();
        v1.MapPoliciesApi();
        v1.MapGroupsApi();
        v1.MapDeviceManagementComplianceApi();
        return app;
    }
}
