using Intune.ClusterConfig;
using Intune.Grains.Audit;
using Intune.Grains.Certificates;
using Intune.Grains.Devices;
using Intune.Grains.Groups;
using Intune.Grains.Policies;
using Intune.Grains.Tenants;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Intune.Grains.Hosting;

public static class IntuneGrainsServiceCollectionExtensions
{
    /// <summary>
    /// Registers what the grains need beside Orleans: the certificate authority, the device
    /// catalog, policy reports, member sets and move marks, each on the table or container the
    /// unit's storage layout names.
    /// </summary>
    public static IServiceCollection AddIntuneGrainServices(this IServiceCollection services, ScaleUnitStorage storage, string scaleUnitId)
    {
        var layout = storage.Layout;
        services.TryAddSingleton(TimeProvider.System);
        services.Configure<CertificateAuthorityOptions>(o => o.ScaleUnitId = scaleUnitId);
        services.AddSingleton<IPolicyReportStore>(_ => new TablePolicyReportStore(storage.Table(layout.PolicyReports)));
        services.AddSingleton<IMemberSetStore>(_ => new TableMemberSetStore(storage.Table(layout.MemberSets)));
        services.AddSingleton<IAuditEventStore>(_ => new TableAuditEventStore(storage.Table(layout.Store(TableAuditEventStore.StoreId))));
        services.AddSingleton<ICertificateAuthorityStore>(_ => new BlobCertificateAuthorityStore(storage.Container(layout.CertificateAuthority)));
        services.AddSingleton<CertificateAuthority>();
        services.AddSingleton<Apps.IAppStatusStore>(_ => new Apps.TableAppStatusStore(storage.Table(layout.PolicyReports)));
        services.AddSingleton<Apps.IAppContentStore>(_ => new Apps.BlobAppContentStore(storage.Container(layout.AppContent)));
        services.AddSingleton<ITenantMoveMarkStore>(_ => new BlobTenantMoveMarkStore(storage.Container(layout.MoveMarks)));
        services.AddSingleton<IDeviceCatalog>(sp => new IndexedDeviceCatalog(
            new TableDeviceCatalog(storage.Table(layout.DeviceCatalog), sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<IGrainFactory>()));
        services.AddSingleton<IHardwareIndexStore>(sp => new TableHardwareIndexStore(storage.Table(layout.HardwareIndex), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new DeviceViewCache(sp.GetRequiredService<IOptions<DeviceCatalogOptions>>().Value.ViewCacheCapacity));
        services.AddSingleton<Delivery.DeliveryCache>();
        services.AddSingleton<Delivery.WriteBehindGate>(_ => new Delivery.WriteBehindGate());
        return services;
    }
}
