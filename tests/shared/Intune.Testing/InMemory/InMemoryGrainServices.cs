using Intune.Grains.Audit;
using Intune.Grains.Certificates;
using Intune.Grains.Devices;
using Intune.Grains.Groups;
using Intune.Grains.Policies;
using Intune.Grains.Tenants;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Intune.Testing.InMemory;

public static class InMemoryGrainServices
{
    /// <summary>Registers in-memory stand-ins of the grain services: for grain unit tests.</summary>
    public static IServiceCollection AddIntuneGrainServicesInMemory(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<InMemoryCertificateAuthorityStore>();
        services.AddSingleton<ICertificateAuthorityStore>(sp => sp.GetRequiredService<InMemoryCertificateAuthorityStore>());
        services.AddSingleton<IPolicyReportStore, InMemoryPolicyReportStore>();
        services.AddSingleton<IMemberSetStore, InMemoryMemberSetStore>();
        services.AddSingleton<InMemoryAuditEventStore>();
        services.AddSingleton<IAuditEventStore>(sp => sp.GetRequiredService<InMemoryAuditEventStore>());
        services.AddSingleton<CertificateAuthority>();
        services.AddSingleton<InMemoryTenantMoveMarkStore>();
        services.AddSingleton<ITenantMoveMarkStore>(sp => sp.GetRequiredService<InMemoryTenantMoveMarkStore>());
        services.AddSingleton<IDeviceCatalog>(sp => new IndexedDeviceCatalog(
            new InMemoryDeviceCatalog(sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<IGrainFactory>()));
        services.AddSingleton<IHardwareIndexStore, InMemoryHardwareIndexStore>();
        services.AddSingleton(_ => new DeviceViewCache(DeviceViewCache.DefaultCapacity));
        services.AddSingleton<Intune.Grains.Delivery.DeliveryCache>();
        services.AddSingleton(_ => new Intune.Grains.Delivery.WriteBehindGate());
        return services;
    }
}
