using Azure.Data.Tables;
using Azure.Storage.Blobs;
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
    /// Registers what the grains need beside Orleans: the certificate authority and the device
    /// catalog, both on the scale unit's own storage.
    /// </summary>
    public static IServiceCollection AddIntuneGrainServices(
        this IServiceCollection services,
        Func<IServiceProvider, TableServiceClient> tables,
        Func<IServiceProvider, BlobServiceClient> blobs,
        string tablePrefix,
        string scaleUnitId)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.Configure<CertificateAuthorityOptions>(o => o.ScaleUnitId = scaleUnitId);
        services.Configure<DeviceCatalogOptions>(o => o.TableName = $"{tablePrefix}devices");
        services.Configure<PolicyReportStoreOptions>(o => o.TableName = $"{tablePrefix}policystatus");
        services.AddSingleton<IPolicyReportStore>(sp =>
            new TablePolicyReportStore(tables(sp).GetTableClient(sp.GetRequiredService<IOptions<PolicyReportStoreOptions>>().Value.TableName)));
        services.Configure<MemberSetStoreOptions>(o => o.TableName = $"{tablePrefix}membersets");
        services.AddSingleton<IMemberSetStore>(sp =>
            new TableMemberSetStore(tables(sp).GetTableClient(sp.GetRequiredService<IOptions<MemberSetStoreOptions>>().Value.TableName)));
        services.AddSingleton<ICertificateAuthorityStore>(sp =>
            new BlobCertificateAuthorityStore(blobs(sp).GetBlobContainerClient($"{tablePrefix}-certificate-authority")));
        services.AddSingleton<CertificateAuthority>();
        services.AddSingleton<ITenantMoveMarkStore>(sp =>
            new BlobTenantMoveMarkStore(blobs(sp).GetBlobContainerClient($"{tablePrefix}-{TenantMoveMark.ContainerSuffix}")));
        services.AddSingleton<IDeviceCatalog>(sp => new IndexedDeviceCatalog(
            new TableDeviceCatalog(
                tables(sp).GetTableClient(sp.GetRequiredService<IOptions<DeviceCatalogOptions>>().Value.TableName),
                sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<IGrainFactory>()));
        services.AddSingleton(sp => new DeviceViewCache(sp.GetRequiredService<IOptions<DeviceCatalogOptions>>().Value.ViewCacheCapacity));
        services.AddSingleton<Delivery.DeliveryCache>();
        return services;
    }

    /// <summary>Registers in-memory stand-ins of the grain services: for grain unit tests only.</summary>
    public static IServiceCollection AddIntuneGrainServicesInMemory(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<InMemoryCertificateAuthorityStore>();
        services.AddSingleton<ICertificateAuthorityStore>(sp => sp.GetRequiredService<InMemoryCertificateAuthorityStore>());
        services.AddSingleton<IPolicyReportStore, InMemoryPolicyReportStore>();
        services.AddSingleton<IMemberSetStore, InMemoryMemberSetStore>();
        services.AddSingleton<CertificateAuthority>();
        services.AddSingleton<InMemoryTenantMoveMarkStore>();
        services.AddSingleton<ITenantMoveMarkStore>(sp => sp.GetRequiredService<InMemoryTenantMoveMarkStore>());
        services.AddSingleton<IDeviceCatalog>(sp => new IndexedDeviceCatalog(
            new InMemoryDeviceCatalog(sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<IGrainFactory>()));
        services.AddSingleton(_ => new DeviceViewCache(DeviceViewCache.DefaultCapacity));
        services.AddSingleton<Delivery.DeliveryCache>();
        return services;
    }
}
