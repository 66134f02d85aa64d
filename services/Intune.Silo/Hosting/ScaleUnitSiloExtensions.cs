using System.Net;
using Intune.ClusterConfig;
using Intune.Grains;
using Intune.Grains.Certificates;
using Intune.Grains.Hosting;
using Intune.Routing;
using Intune.ServiceDefaults;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;

namespace Intune.Silo.Hosting;

public static class ScaleUnitSiloExtensions
{
    private const string TableGrainStorage = StorageNames.Grains + "-table";

    /// <summary>
    /// The Orleans silo of one scale unit: Azure Table membership, grain state and reminders,
    /// Blob for large objects (the CA), every table and container named by the unit's storage layout.
    /// </summary>
    public static WebApplicationBuilder AddScaleUnitSilo(this WebApplicationBuilder builder)
    {
        var unit = builder.AddValidatedOptions<ScaleUnitOptions, ScaleUnitOptionsValidator>(ScaleUnitOptions.SectionName);
        var storage = new ScaleUnitStorage(unit);
        var layout = storage.Layout;
        var tables = storage.Tables;
        builder.Services.AddSingleton(storage);
        builder.Services.AddSingleton(tables);
        builder.Services.AddSingleton(storage.Blobs);
        builder.Services.AddIntuneGrainServices(storage, unit.Id);
        // Refuses to start outside Development without a key-encryption key of the operator's own.
        var development = builder.Environment.IsDevelopment();
        byte[] authorityKey;
        try
        {
            authorityKey = SealedCertificateAuthority.ResolveKey(unit.CertificateAuthorityKey, development);
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsValidationException(ScaleUnitOptions.SectionName, typeof(ScaleUnitOptions), [ex.Message]);
        }

        builder.Services.Configure<CertificateAuthorityOptions>(o =>
        {
            o.KeyEncryptionKey = authorityKey;
            o.AcceptsUnsealedAuthority = development;
        });
        // Co-hosted gateways serve exactly this unit.
        builder.Services.AddSingleton<IScaleUnitRouter, SingleScaleUnitRouter>();

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = unit.ClusterId;
                o.ServiceId = unit.ServiceId;
            });
            // The cluster ports have an address of their own (loopback by default), never the gateways'.
            silo.ConfigureEndpoints(IPAddress.Parse(unit.ClusterAddress), unit.SiloPort, unit.GatewayPort, listenOnAnyHostAddress: false);
            if (ClusterTls.IsEnabled(unit))
            {
                var memberCertificates = new ClusterMemberCertificates(unit.Id);
                silo.Services.AddSingleton(memberCertificates);
                silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ClusterMemberCertificateLoader>();
                silo.UseTls(o => ClusterTls.Configure(o, memberCertificates));
            }

            silo.UseAzureStorageClustering(o =>
            {
                o.TableServiceClient = tables;
                o.TableName = layout.Membership.Name;
            });
            // The Azure Table provider is registered under its own name and the grains' storage name
            // wraps it (see GrainRowKeyedStorage for why).
            silo.AddAzureTableGrainStorage(TableGrainStorage, o =>
            {
                o.TableServiceClient = tables;
                o.TableName = layout.GrainState.Name;
            });
            silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Grains, (services, _) =>
                new GrainRowKeyedStorage(services.GetRequiredKeyedService<IGrainStorage>(TableGrainStorage)));
            silo.UseAzureTableReminderService(o =>
            {
                o.TableServiceClient = tables;
                o.TableName = layout.Reminders.Name;
            });
        });
        return builder;
    }
}

/// <summary>Issues the silo's cluster member certificate from the unit's CA before any cluster port opens.</summary>
internal sealed class ClusterMemberCertificateLoader(ClusterMemberCertificates certificates, CertificateAuthority authority, TimeProvider time)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ClusterMemberCertificateLoader), ServiceLifecycleStage.First, async cancellationToken =>
            certificates.Load(await authority.GetCertificateAsync(cancellationToken), time));
}
