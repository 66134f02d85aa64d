using Intune.AdminGateway;
using Intune.DeviceGateway;
using Intune.ServiceDefaults;

namespace Intune.Silo.Hosting;

/// <summary>
/// Builds one scale unit's process: the silo, and for the local default both gateways in the
/// same process (docs/architecture.md §1). Tests call <see cref="Create"/> with their own settings.
/// </summary>
public static class ScaleUnitHost
{
    /// <param name="configure">Runs before the unit registers its services: configuration, a TimeProvider.</param>
    /// <param name="replaceServices">Runs after: lets a test put a faulty service in place of a registered one.</param>
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null, Action<IServiceCollection>? replaceServices = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddClusterConfigFiles(args);
        configure?.Invoke(builder);

        // Extra silos of a unit (intune-ops scale-unit up --silos N) run without gateways, whose
        // fixed ports belong to the first process.
        var gateways = builder.Configuration.GetValue("Hosting:Gateways", defaultValue: true);
        builder.AddServiceDefaults();
        builder.AddScaleUnitSilo();
        if (gateways)
        {
            builder.AddDeviceGateway();
            builder.AddAdminGateway();
            builder.AddLocalTenant();
        }
        else
        {
            // Health endpoints only, on a port of its own (0: any free one) instead of Kestrel's default 5000.
            var healthPort = builder.Configuration.GetValue("Hosting:HealthPort", 0);
            builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, healthPort));
        }

        replaceServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        if (gateways)
        {
            app.MapDeviceGateway();
            app.MapAdminGateway();
        }

        return app;
    }
}
