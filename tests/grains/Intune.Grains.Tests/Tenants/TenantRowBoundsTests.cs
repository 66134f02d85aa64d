using Intune.Grains.Errors;
using Intune.Grains.Policies;
using Intune.Grains.Tenants;
using Intune.Grains.Tests.Durability;
using Intune.Grains.Tests.Policies;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Xunit.Abstractions;

namespace Intune.Grains.Tests.Tenants;

/// <summary>
/// No row of a tenant can fill: each kind the tenant holds lives in a row of its own, bounded by
/// <see cref="TenantLimits"/>, and every row at its limits (longest names the admin API accepts)
/// serializes under what Orleans' Azure Table provider stores in one entity. Groups are rows of
/// their own and not in any tenant row.
/// </summary>
public sealed class TenantRowBoundsTests(WriteFirstTests.FailingStorageCluster fixture, ITestOutputHelper output) : IClassFixture<WriteFirstTests.FailingStorageCluster>
{
    /// <summary>Orleans' Azure Table provider: 15 binary properties of 64 KiB each.</summary>
    private const int EntityStateBytes = 15 * 64 * 1024;
    private const int NameLength = 256;
    private const int DescriptionLength = 1_024;

    private IGrainStorageSerializer Serializer => fixture.Services.GetRequiredService<IGrainStorageSerializer>();

    [Fact]
    public void EveryTenantRow_AtItsLimits_FitsOneTableEntity()
    {
        var now = DateTimeOffset.UtcNow;
        var tokens = new EnrollmentTokensState
        {
            Tokens = Enumerable.Range(0, TenantLimits.MaxUsableEnrollmentTokens + TenantLimits.SpentEnrollmentTokensKept)
                .Select(i => new EnrollmentTokenRecord { TokenId = Guid.NewGuid().ToString(), SecretHash = new string('f', 64), ExpiresDateTime = now, MaximumUses = int.MaxValue, Uses = int.MaxValue, Revoked = true })
                .ToList(),
        };
        var longVersion = new string('9', 64);
        var restriction = new PlatformRestriction(true, true, longVersion, longVersion);
        var restrictions = new EnrollmentRestrictionsState
        {
            Configurations = Enumerable.Range(0, TenantLimits.MaxEnrollmentConfigurations + 2).Select(i => new EnrollmentConfiguration
            {
                Id = $"{Guid.NewGuid()}_PlatformRestrictions",
                Kind = EnrollmentConfigurationKind.PlatformRestrictions,
                DisplayName = new string('n', NameLength),
                Description = new string('d', DescriptionLength),
                Priority = i,
                Version = int.MaxValue,
                IosRestriction = restriction,
                AndroidRestriction = restriction,
                WindowsRestriction = restriction,
                MacOSRestriction = restriction,
                Assignments = Enumerable.Range(0, TenantLimits.MaxEnrollmentConfigurationAssignments)
                    .Select(_ => new EnrollmentAssignmentTarget("#microsoft.graph.exclusionGroupAssignmentTarget", Guid.NewGuid().ToString())).ToList(),
            }).ToList(),
        };
        var retire = new RetireRequestsState
        {
            Requests = Enumerable.Range(0, TenantLimits.MaxPendingRetireRequests + TenantLimits.DecidedRetireRequestsKept)
                .Select(_ => new RetireRequest(Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), ComplianceActionType.Wipe, now, RetireRequestState.Dismissed, now))
                .ToDictionary(r => r.DeviceId),
        };
        var targetsPerEntry = TenantLimits.MaxAssignmentTargets / TenantLimits.MaxCatalogEntries;
        var catalog = new TenantState
        {
            DisplayName = new string('n', NameLength),
            Region = "northamerica",
            ComplianceSettings = ComplianceSettings.Default,
            DeliveryVersion = long.MaxValue,
            Policies = Enumerable.Range(0, TenantLimits.MaxCatalogEntries).Select(_ => new PolicyCatalogEntry(
                Guid.NewGuid().ToString(), PolicyKind.AppConfiguration, "androidManagedStoreAppConfiguration", int.MaxValue, true,
                Enumerable.Range(0, targetsPerEntry).Select(_ => new AssignmentTarget(AssignmentTargetKind.ExclusionGroup, Guid.NewGuid().ToString())).ToList()))
                .ToDictionary(p => p.PolicyId),
            GroupVersions = Enumerable.Range(0, TenantLimits.MaxAssignmentTargets).ToDictionary(_ => Guid.NewGuid().ToString(), _ => long.MaxValue),
        };

        var sizes = new Dictionary<string, int>
        {
            ["enrollmentTokens"] = Size(tokens),
            ["enrollmentRestrictions"] = Size(restrictions),
            ["retireRequests"] = Size(retire),
            ["tenant"] = Size(catalog),
        };

        foreach (var (row, bytes) in sizes)
        {
            output.WriteLine($"{row}: {bytes:N0} bytes at its limits ({100.0 * bytes / EntityStateBytes:F0} % of an entity)");
        }

        Assert.All(sizes, row => Assert.True(row.Value < EntityStateBytes, $"{row.Key}: {row.Value:N0} bytes at its limits; one entity holds {EntityStateBytes:N0}"));
    }

    [Fact]
    public async Task EnrollmentTokens_PastTheLimit_AreRefusedNamingIt_AndRevokingOneMakesRoom()
    {
        var tenant = await NewTenantAsync();
        var created = new List<EnrollmentTokenInfo>();
        for (var i = 0; i < TenantLimits.MaxUsableEnrollmentTokens; i++)
        {
            created.Add(await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(1), null));
        }

        var refused = await Assert.ThrowsAsync<InvalidRequestException>(() => tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(1), null));
        await tenant.RevokeEnrollmentTokenAsync(created[0].TokenId);
        var afterRevoke = await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(1), null);

        Assert.Contains($"at most {TenantLimits.MaxUsableEnrollmentTokens} enrollment tokens", refused.Message);
        Assert.NotNull(afterRevoke.Token);
        Assert.Equal(TenantLimits.MaxUsableEnrollmentTokens + 1, (await tenant.ListEnrollmentTokensAsync()).Count);
        Assert.Null(fixture.Storage.Stored<TenantState>("tenant", tenant.GetGrainId())!.EnrollmentTokens.FirstOrDefault());
    }

    [Fact]
    public async Task SpentEnrollmentTokens_AreKeptUpToTheirBound()
    {
        var tenant = await NewTenantAsync();
        for (var i = 0; i < TenantLimits.SpentEnrollmentTokensKept + 20; i++)
        {
            var token = await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(1), null);
            await tenant.RevokeEnrollmentTokenAsync(token.TokenId);
        }

        var live = await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(1), null);
        var listed = await tenant.ListEnrollmentTokensAsync();

        Assert.Equal(TenantLimits.SpentEnrollmentTokensKept + 1, listed.Count);
        Assert.Contains(listed, t => t.TokenId == live.TokenId && !t.Revoked);
    }

    [Fact]
    public async Task Groups_AreRowsOfTheirOwn_NotPartOfTheTenantRow()
    {
        var kit = new PolicyTestKit(fixture.Cluster.GrainFactory);
        await kit.CreateTenantAsync();
        var group = await kit.CreateGroupAsync();
        var groupId = GrainKeys.Split(group.GetPrimaryKeyString()).Id;

        var listed = await kit.Tenant.ListGroupsAsync();
        var stored = fixture.Storage.Stored<TenantState>("tenant", kit.Tenant.GetGrainId())!;

        Assert.Equal([groupId], listed);
        Assert.Empty(stored.Groups);
    }

    [Fact]
    public async Task AFullCatalog_RefusesANewPolicyBeforeAnythingIsWritten()
    {
        var kit = new PolicyTestKit(fixture.Cluster.GrainFactory);
        await kit.CreateTenantAsync();
        for (var i = 0; i < TenantLimits.MaxCatalogEntries; i++)
        {
            await kit.Tenant.UpsertPolicyAsync(new PolicyCatalogEntry(Guid.NewGuid().ToString(), PolicyKind.Configuration, "windows10GeneralConfiguration", 1, false));
        }

        var refused = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            kit.CreateConfigurationAsync("windows10GeneralConfiguration", new Dictionary<string, string> { ["cameraBlocked"] = "true" }));

        Assert.Contains($"at most {TenantLimits.MaxCatalogEntries} policies", refused.Message);
        Assert.Equal(TenantLimits.MaxCatalogEntries, (await kit.Tenant.ListPoliciesAsync(PolicyKind.Configuration)).Count);
    }

    [Fact]
    public async Task PendingRetireRequests_PastTheLimit_AreNotRecorded_SoTheDeviceAsksAgain()
    {
        var kit = new PolicyTestKit(fixture.Cluster.GrainFactory);
        await kit.CreateTenantAsync();
        var now = DateTimeOffset.UtcNow;
        RetireRequest Request() => new(Guid.NewGuid().ToString(), "policy", ComplianceActionType.Retire, now, RetireRequestState.Pending, null);
        for (var i = 0; i < TenantLimits.MaxPendingRetireRequests; i++)
        {
            Assert.True(await kit.Tenant.RequestRetireAsync(Request()));
        }

        var overLimit = await kit.Tenant.RequestRetireAsync(Request());
        var first = (await kit.Tenant.ListRetireRequestsAsync())[0];
        await kit.Tenant.DecideRetireAsync(first.DeviceId, confirm: false);
        var afterADecision = await kit.Tenant.RequestRetireAsync(Request());

        Assert.False(overLimit);
        Assert.True(afterADecision);
        Assert.Equal(TenantLimits.MaxPendingRetireRequests + 1, (await kit.Tenant.ListRetireRequestsAsync()).Count);
    }

    [Fact]
    public async Task ATenantStoredInOneRow_IsSplitOnActivation_LosingNothing()
    {
        var tenantId = Guid.NewGuid().ToString();
        var grain = fixture.Cluster.GrainFactory.GetGrain<ITenantGrain>(tenantId);
        var now = DateTimeOffset.UtcNow;
        var groupId = Guid.NewGuid().ToString();
        fixture.Storage.Put("tenant", grain.GetGrainId(), new TenantState
        {
            DisplayName = "Contoso",
            Region = "na",
            CreatedDateTime = now,
            EnrollmentTokens = [new EnrollmentTokenRecord { TokenId = "legacy-token", SecretHash = new string('a', 64), ExpiresDateTime = now.AddDays(30) }],
            Groups = new() { [groupId] = "Sales" },
            RetireRequests = new() { ["device-1"] = new RetireRequest("device-1", "policy", ComplianceActionType.Wipe, now, RetireRequestState.Pending, null) },
        });

        var tokens = await grain.ListEnrollmentTokensAsync();
        var compliance = fixture.Cluster.GrainFactory.GetGrain<ITenantComplianceGrain>(tenantId);
        var groups = await compliance.ListGroupsAsync();
        var retire = await compliance.ListRetireRequestsAsync();
        var stored = fixture.Storage.Stored<TenantState>("tenant", grain.GetGrainId())!;

        Assert.Equal(["legacy-token"], tokens.Select(t => t.TokenId));
        Assert.Equal([groupId], groups);
        Assert.Equal(["device-1"], retire.Select(r => r.DeviceId));
        Assert.False(stored.HasLegacyRows);
        Assert.Equal("Contoso", stored.DisplayName);
    }

    private async Task<ITenantGrain> NewTenantAsync()
    {
        var tenant = fixture.Cluster.GrainFactory.GetGrain<ITenantGrain>(Guid.NewGuid().ToString());
        await tenant.CreateAsync("Contoso", "na");
        return tenant;
    }

    private int Size<T>(T state) => Serializer.Serialize(state).ToMemory().Length;
}
