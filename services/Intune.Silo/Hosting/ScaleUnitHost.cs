using Intune.AdminGateway;
using Intune.DeviceGateway;
using Intune.ServiceDefaults;

namespace Intune.Silo.Hosting;

/// <summary>
/// Builds one scale unit's process: the silo, and for the local default both gateways in the
/// same process (ARCHITECTURE.md §1). Tests call <see cref="Create"/> with their own settings.
/// </summary>
public static class ScaleUnitHost
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddClusterConfigFiles(args);
        configure?.Invoke(builder);

        builder.AddServiceDefaults();
        builder.AddScaleUnitSilo();
        builder.AddDeviceGateway();
        builder.AddAdminGateway();
        builder.AddLocalTenant();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapDeviceGateway();
        app.MapAdminGateway();
        return app;
    }
}
