using System.Collections.Concurrent;
using Intune.ClusterConfig;
using Intune.Grains;
using Intune.Grains.Groups;
using Intune.Grains.Policies;
using Intune.Testing;
using Intune.Testing.InMemory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Intune.Grains.Tests;

/// <summary>
/// One in-process silo with in-memory storage and a <see cref="FakeTimeProvider"/> shared by the
/// grains, so tests move time instead of waiting for it.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    private const string ClockKey = "IntuneTestClock";
    private const string ResponseTimeoutKey = "IntuneTestResponseTimeout";
    private const string AzuritePrefixKey = "IntuneTestAzuritePrefix";
    private static readonly ConcurrentDictionary<string, FakeTimeProvider> Clocks = new();

    /// <summary>The clock of the shared cluster most test classes use.</summary>
    public static FakeTimeProvider Time => ClockNamed("shared");

    /// <summary>
    /// Which clock this cluster's silo uses. A cluster that activates thousands of grains gets its
    /// own, so other tests moving time by days do not fire all of their timers and reminders.
    /// </summary>
    protected virtual string ClockName => "shared";

    public FakeTimeProvider Clock => ClockNamed(ClockName);

    /// <summary>
    /// Whether the row stores (group members and policy targets, policy report rows) are the Azure
    /// Table ones on the test Azurite instead of in-memory doubles; grain state stays in memory.
    /// </summary>
    protected virtual bool RowStoresOnAzurite => false;

    /// <summary>The Azurite tables behind the row stores, when <see cref="RowStoresOnAzurite"/>.</summary>
    public ScaleUnitStorage? AzuriteStorage { get; private set; }

    /// <summary>Grain-call timeout; null keeps Orleans' 30 s.</summary>
    protected virtual TimeSpan? ResponseTimeout => null;

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.Properties[ClockKey] = ClockName;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        if (RowStoresOnAzurite)
        {
            var prefix = TestStorage.UniquePrefix();
            builder.Properties[AzuritePrefixKey] = prefix;
            AzuriteStorage = AzuriteRowStorage(prefix);
        }

        if (ResponseTimeout is { } timeout)
        {
            builder.Properties[ResponseTimeoutKey] = timeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
            builder.AddClientBuilderConfigurator<ClientConfigurator>();
        }

        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryGrainStorage(StorageNames.Grains);
            siloBuilder.UseInMemoryReminderService();
            siloBuilder.Services.AddSingleton<TimeProvider>(ClockNamed(siloBuilder.Configuration[ClockKey] ?? "shared"));
            siloBuilder.Services.AddIntuneGrainServicesInMemory();
            if (siloBuilder.Configuration[AzuritePrefixKey] is { } prefix)
            {
                var storage = AzuriteRowStorage(prefix);
                siloBuilder.Services.AddSingleton<IPolicyReportStore>(new TablePolicyReportStore(storage.Table(storage.Layout.PolicyReports)));
                siloBuilder.Services.AddSingleton<IMemberSetStore>(new TableMemberSetStore(storage.Table(storage.Layout.MemberSets)));
            }

            if (TimeoutFrom(siloBuilder.Configuration) is { } timeout)
            {
                siloBuilder.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = timeout);
            }
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
        {
            if (TimeoutFrom(configuration) is { } timeout)
            {
                clientBuilder.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = timeout);
            }
        }
    }

    private static ScaleUnitStorage AzuriteRowStorage(string prefix) =>
        new(new ScaleUnitStorageLayout(prefix, "grains-tests"), TestStorage.ConnectionString, "grains-tests");

    private static TimeSpan? TimeoutFrom(IConfiguration configuration) =>
        configuration[ResponseTimeoutKey] is { } value ? TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : null;

    private static FakeTimeProvider ClockNamed(string name) =>
        Clocks.GetOrAdd(name, _ => new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero)));
}

/// <summary>A cluster of its own, with its own clock, for tests that activate thousands of grains.</summary>
public sealed class LargeClusterFixture : ClusterFixture
{
    protected override string ClockName => "large";

    // A 10,000-device fan-out is awaited whole under the fake clock (the 20 s bounded wait never
    // elapses), and on two loaded cores it can take longer than Orleans' default 30 s.
    protected override TimeSpan? ResponseTimeout => TimeSpan.FromMinutes(5);
}

/// <summary>A cluster whose member and report rows go to the test Azurite: what those stores really send and read back.</summary>
public sealed class AzuriteRowStoresClusterFixture : ClusterFixture
{
    protected override string ClockName => "azurite-rows";

    protected override bool RowStoresOnAzurite => true;
}

/// <remarks>
/// Runs after the parallel collections, not beside them: a third silo starting with the others on
/// two loaded cores delayed the shared silo's reminder service past its start-up wait (seen once
/// in a fresh-clone run: "Reminder Service is still initializing").
/// </remarks>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AzuriteRowStoresCollection : ICollectionFixture<AzuriteRowStoresClusterFixture>
{
    public const string Name = "azurite-row-stores";
}

[CollectionDefinition(Name)]
public sealed class LargeClusterCollection : ICollectionFixture<LargeClusterFixture>
{
    public const string Name = "large-cluster";
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
