using Intune.Grains.Audit;
using Intune.Grains.Devices;
using Intune.Grains.Errors;
using Intune.Grains.Policies;
using Intune.Grains.Rbac;
using Intune.Grains.Tenants;
using Intune.Grains.Tests.Policies;
using Intune.Testing.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Intune.Grains.Tests.Durability;

/// <summary>
/// A change whose write fails is refused with <see cref="UnavailableException"/> and is not made:
/// neither the grain's memory nor storage holds it afterwards, and nothing later writes it.
/// </summary>
public sealed class WriteFirstTests(WriteFirstTests.FailingStorageCluster fixture) : IClassFixture<WriteFirstTests.FailingStorageCluster>
{
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;

    private FailingGrainStorage Storage => fixture.Storage;

    [Fact]
    public async Task RevokingARoleAssignment_WhenTheWriteFails_IsUnavailableAndTheAssignmentStaysInForce()
    {
        var tenantId = Guid.NewGuid().ToString();
        var rbac = Grains.GetGrain<ITenantRbacGrain>(tenantId);
        await rbac.PutRoleAssignmentAsync(Assignment("a1"));

        Storage.FailWritesOf(id => id.Key.ToString() == tenantId);
        var refused = await Assert.ThrowsAsync<UnavailableException>(() => rbac.DeleteRoleAssignmentAsync("a1"));
        var whileFailing = await rbac.GetAsync();
        Storage.Heal();
        await rbac.PutRoleAssignmentAsync(Assignment("a2"));
        var after = await rbac.GetAsync();

        Assert.True(refused.RetryAfter > TimeSpan.Zero);
        Assert.Contains(whileFailing.RoleAssignments, a => a.Id == "a1");
        Assert.Equal(["a1", "a2"], after.RoleAssignments.Select(a => a.Id).Order());
    }

    [Fact]
    public async Task AWipe_WhenTheWriteFails_IsUnavailableAndNeverQueued()
    {
        var tenantId = Guid.NewGuid().ToString();
        var key = GrainKeys.Scoped(tenantId, Guid.NewGuid().ToString());
        var device = Grains.GetGrain<IDeviceGrain>(key);
        await device.EnrollAsync(TestDevices.Enrollment());

        Storage.FailWritesOf(id => id.Key.ToString() == key);
        await Assert.ThrowsAsync<UnavailableException>(() => device.RequestActionAsync(new DeviceActionRequest(DeviceActionKind.Wipe)));
        var whileFailing = await device.GetAsync();
        Storage.Heal();
        await device.UpdateAsync(new ManagedDeviceUpdate(Notes: "a later, unrelated change"));
        var after = await device.GetAsync();

        Assert.Equal(ManagementState.Managed, whileFailing!.ManagementState);
        Assert.Empty(whileFailing.DeviceActionResults);
        Assert.Equal(ManagementState.Managed, after!.ManagementState);
        Assert.Empty(after.DeviceActionResults);
        Assert.Equal("a later, unrelated change", after.Notes);
    }

    [Fact]
    public async Task AnEnrollmentRestriction_WhenTheWriteFails_IsUnavailableAndNotCreated()
    {
        var tenantId = Guid.NewGuid().ToString();
        var tenant = Grains.GetGrain<ITenantGrain>(tenantId);
        await tenant.CreateAsync("Contoso", "na");
        var defaults = await tenant.ListEnrollmentConfigurationsAsync();

        Storage.FailWritesOf(id => id.Key.ToString() == tenantId);
        await Assert.ThrowsAsync<UnavailableException>(() => tenant.CreateEnrollmentConfigurationAsync(new EnrollmentConfiguration
        {
            Id = string.Empty,
            Kind = EnrollmentConfigurationKind.Limit,
            DisplayName = "Sales: 3 devices",
            Limit = 3,
        }));
        var whileFailing = await tenant.ListEnrollmentConfigurationsAsync();
        Storage.Heal();
        var token = await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(1), null);
        var after = await tenant.ListEnrollmentConfigurationsAsync();

        Assert.Equal(defaults.Select(c => c.Id), whileFailing.Select(c => c.Id));
        Assert.Equal(defaults.Select(c => c.Id), after.Select(c => c.Id));
        Assert.NotNull(token.Token);
    }

    [Fact]
    public async Task AnAuditAppend_WhenItsRowCannotBeWritten_IsUnavailableAndNotListed()
    {
        var tenantId = Guid.NewGuid().ToString();
        var now = DateTimeOffset.UtcNow;
        var log = Grains.GetGrain<IAuditLogGrain>(tenantId);
        var store = fixture.Services.GetRequiredService<InMemoryAuditEventStore>();

        store.FailAppends = true;
        await Assert.ThrowsAsync<UnavailableException>(() => log.AppendAsync(Event(now)));
        store.FailAppends = false;
        var kept = Event(now.AddSeconds(1));
        await log.AppendAsync(kept);
        var listed = await log.ListAsync(new AuditRange(now.AddDays(-1), now.AddDays(1), null, 10));

        Assert.Equal([kept.Id], listed.Events.Select(e => e.Id));
    }

    [Fact]
    public async Task APolicyEditOrAssignment_WhenTheWriteFails_IsUnavailableAndThePolicyStaysAsItWas()
    {
        var kit = new PolicyTestKit(Grains);
        await kit.CreateTenantAsync();
        var profile = await kit.CreateConfigurationAsync("windows10GeneralConfiguration", new Dictionary<string, string> { ["cameraBlocked"] = "true" });
        var key = profile.GetPrimaryKeyString();

        Storage.FailWritesOf(id => id.Key.ToString() == key);
        await Assert.ThrowsAsync<UnavailableException>(() => profile.UpdateAsync(new PolicyUpdate { DisplayName = "Renamed" }));
        await Assert.ThrowsAsync<UnavailableException>(() => profile.AssignAsync([new AssignmentTarget(AssignmentTargetKind.AllDevices, null)]));
        var whileFailing = await profile.GetAsync();
        var assignmentsWhileFailing = await profile.GetAssignmentsAsync();
        Storage.Heal();
        var next = await profile.UpdateAsync(new PolicyUpdate { Description = "a later change" });

        Assert.Equal((1, "windows10GeneralConfiguration profile"), (whileFailing!.Version, whileFailing.DisplayName));
        Assert.Empty(assignmentsWhileFailing);
        Assert.Equal((2, "windows10GeneralConfiguration profile"), (next.Version, next.DisplayName));
        Assert.Empty(await profile.GetAssignmentsAsync());
    }

    [Fact]
    public async Task AGroup_WhenItsFirstWriteFails_IsUnavailableAndDoesNotExist()
    {
        var kit = new PolicyTestKit(Grains);
        await kit.CreateTenantAsync();
        var group = kit.Group(Guid.NewGuid().ToString());

        Storage.FailWritesOf(id => id.Key.ToString() == group.GetPrimaryKeyString());
        await Assert.ThrowsAsync<UnavailableException>(() => group.CreateAsync("Sales", null));
        var whileFailing = await group.GetAsync();
        var listedWhileFailing = await kit.Tenant.ListGroupsAsync();
        Storage.Heal();

        Assert.Null(whileFailing);
        Assert.Empty(listedWhileFailing);
        Assert.Equal("Sales", (await group.CreateAsync("Sales", null)).DisplayName);
    }

    [Fact]
    public async Task AnEnrollmentWhoseDeviceCannotBeSaved_GivesItsTokenUseBack()
    {
        var tenantId = Guid.NewGuid().ToString();
        var tenant = Grains.GetGrain<ITenantGrain>(tenantId);
        await tenant.CreateAsync("Contoso", "na");
        var token = await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(1), maximumUses: 1);
        var enrollment = Grains.GetGrain<IEnrollmentGrain>(0);

        Storage.FailWritesOf(id => id.Key.ToString().StartsWith(tenantId + "/", StringComparison.Ordinal) && id.Type.ToString().Contains("device", StringComparison.OrdinalIgnoreCase));
        await Assert.ThrowsAsync<UnavailableException>(() => enrollment.EnrollAsync(token.Token!, TestDevices.Enrollment()));
        var usesWhileFailing = (await tenant.ListEnrollmentTokensAsync()).Single().Uses;
        Storage.Heal();
        var enrolled = await enrollment.EnrollAsync(token.Token!, TestDevices.Enrollment());

        Assert.Equal(0, usesWhileFailing);
        Assert.Equal(tenantId, enrolled.TenantId);
        Assert.Equal(1, (await tenant.ListEnrollmentTokensAsync()).Single().Uses);
    }

    private static RoleAssignment Assignment(string id) => new(id, $"Assignment {id}", null, "builtin-readonly", ["adele@contoso.example"], []);

    private static AuditEvent Event(DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        DisplayName = "Create Group",
        ComponentName = "Other",
        Actor = new AuditActor("ItPro", "admin@contoso.example", null, null, []),
        Activity = "Create Group",
        ActivityDateTime = now,
        ActivityType = "Create Group",
        ActivityOperationType = "Create",
        ActivityResult = "Success",
        CorrelationId = Guid.Empty,
        Category = "Other",
    };

    /// <summary>One silo whose grain storage is a <see cref="FailingGrainStorage"/>.</summary>
    public sealed class FailingStorageCluster : IAsyncLifetime
    {
        public TestCluster Cluster { get; private set; } = null!;

        public IServiceProvider Services => ((InProcessSiloHandle)Cluster.Primary!).SiloHost.Services;

        public FailingGrainStorage Storage => Services.GetRequiredService<FailingGrainStorage>();

        public async Task InitializeAsync()
        {
            var builder = new TestClusterBuilder(1);
            builder.AddSiloBuilderConfigurator<SiloConfigurator>();
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
                siloBuilder.Services.AddSingleton<FailingGrainStorage>();
                siloBuilder.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Grains, (sp, _) => sp.GetRequiredService<FailingGrainStorage>());
                siloBuilder.UseInMemoryReminderService();
                siloBuilder.Services.AddIntuneGrainServicesInMemory();
            }
        }
    }
}
