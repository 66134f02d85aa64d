using Intune.AdminGateway.Auth;
using Intune.ClusterConfig;
using Intune.Grains.Tenants;
using Intune.Routing;
using Microsoft.Extensions.Options;

namespace Intune.Silo.Hosting;

/// <summary>The tenant the local default creates on first run so a newcomer can enroll at once.</summary>
public sealed class LocalTenantOptions
{
    public const string SectionName = "LocalTenant";

    public string? Id { get; set; }

    public string DisplayName { get; set; } = "Local tenant";

    public string Region { get; set; } = "na";

    /// <summary>Where the enrollment token's secret is kept between runs (the service stores only its hash).</summary>
    public string StateDirectory { get; set; } = ".data/local-tenant";
}

/// <summary>
/// Creates the local tenant and its enrollment token on first run, reuses them afterwards, and
/// prints the URLs, tokens and a final <c>ready</c> line once every endpoint is up.
/// </summary>
public sealed class LocalTenantBootstrapper(
    IGrainFactory grains,
    IOptions<LocalTenantOptions> options,
    IOptions<GatewayListenOptions> gateways,
    IHostApplicationLifetime lifetime,
    IServiceProvider services,
    ILogger<LocalTenantBootstrapper> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var local = options.Value;
        if (string.IsNullOrWhiteSpace(local.Id))
        {
            return;
        }

        var tenant = grains.GetGrain<ITenantGrain>(local.Id);
        await tenant.CreateAsync(local.DisplayName, local.Region);
        await RegisterInDirectoryAsync(local, cancellationToken);

        Directory.CreateDirectory(local.StateDirectory);
        var tokenFile = Path.Combine(local.StateDirectory, "enrollment-token.txt");
        if (!File.Exists(tokenFile))
        {
            var created = await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(365), maximumUses: null);
            await File.WriteAllTextAsync(tokenFile, created.Token, cancellationToken);
            logger.LogInformation("Created the local tenant's enrollment token {TokenId}", created.TokenId);
        }

        var enrollmentToken = (await File.ReadAllTextAsync(tokenFile, cancellationToken)).Trim();
        var adminToken = services.GetService<AdminTokenIssuer>()?.Issue(local.Id, ["Intune Administrator"], "admin@local", TimeSpan.FromHours(12));
        lifetime.ApplicationStarted.Register(() => PrintBanner(local, enrollmentToken, adminToken));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The local default alone also knows the directory, so <c>intune-ops tenant list</c> shows
    /// the local tenant and a standalone gateway routes to it. A deployed unit is not given the
    /// directory's credentials: operators place tenants with <c>intune-ops tenant create</c>.
    /// </summary>
    private async Task RegisterInDirectoryAsync(LocalTenantOptions local, CancellationToken cancellationToken)
    {
        if (services.GetService<ITenantDirectory>() is not { } directory)
        {
            return;
        }

        if (await directory.GetAsync(local.Id!, cancellationToken) is null)
        {
            var unit = services.GetRequiredService<IOptions<ScaleUnitOptions>>().Value;
            await directory.AddAsync(
                new TenantDirectoryEntry(local.Id!, local.DisplayName, local.Region, unit.Id, TenantDirectoryState.Active, DateTimeOffset.UtcNow),
                cancellationToken);
        }
    }

    private void PrintBanner(LocalTenantOptions local, string enrollmentToken, string? adminToken)
    {
        var g = gateways.Value;
        Console.WriteLine();
        Console.WriteLine($"Admin gateway (Graph):  http://{g.ListenAddress}:{g.AdminPort}/v1.0");
        Console.WriteLine($"Admin center (browser): http://{g.ListenAddress}:{g.AdminPort}/ (sign in by pasting the admin token below)");
        Console.WriteLine($"Device gateway (gRPC):  https://{g.ListenAddress}:{g.DevicePort}");
        Console.WriteLine($"Tenant:                 {local.Id} ({local.DisplayName})");
        Console.WriteLine($"Enrollment token:       {enrollmentToken}");
        if (adminToken is not null)
        {
            Console.WriteLine($"Admin token (12 h):     {adminToken}");
        }

        Console.WriteLine("ready");
    }
}

public static class LocalTenantExtensions
{
    public static WebApplicationBuilder AddLocalTenant(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<LocalTenantOptions>(builder.Configuration.GetSection(LocalTenantOptions.SectionName));
        var directory = builder.Configuration.GetSection(TenantDirectoryOptions.SectionName).Get<TenantDirectoryOptions>();
        if (!string.IsNullOrWhiteSpace(directory?.StorageConnectionString) && !string.IsNullOrWhiteSpace(builder.Configuration["LocalTenant:Id"]))
        {
            builder.Services.AddSingleton<ITenantDirectory>(new TableTenantDirectory(
                new Azure.Data.Tables.TableClient(directory.StorageConnectionString, directory.TableName)));
        }

        builder.Services.AddHostedService<LocalTenantBootstrapper>();
        return builder;
    }
}
