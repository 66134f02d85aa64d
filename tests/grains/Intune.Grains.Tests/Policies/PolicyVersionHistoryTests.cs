using Intune.Grains.Errors;
using Intune.Grains.Policies;
using Intune.Grains.Tests.Durability;

namespace Intune.Grains.Tests.Policies;

/// <summary>
/// A policy's stored versions are bounded by count and by size, so years of edits and large
/// settings cannot push its row past Azure Table's 1 MB entity limit; the current version is
/// always the one published last.
/// </summary>
public sealed class PolicyVersionHistoryTests(WriteFirstTests.FailingStorageCluster fixture) : IClassFixture<WriteFirstTests.FailingStorageCluster>
{
    [Fact]
    public async Task ManyEdits_KeepTheLatestVersionsOnly()
    {
        var kit = new PolicyTestKit(fixture.Cluster.GrainFactory);
        await kit.CreateTenantAsync();
        var profile = await kit.CreateConfigurationAsync("windows10GeneralConfiguration", new Dictionary<string, string> { ["cameraBlocked"] = "true" });

        for (var edit = 1; edit <= PolicyState.MaxVersionsKept + 5; edit++)
        {
            await profile.UpdateAsync(new PolicyUpdate { Description = $"edit {edit}" });
        }

        var stored = fixture.Storage.Stored<PolicyState>("policy", profile.GetGrainId())!;
        var current = await profile.GetAsync();

        Assert.Equal(Enumerable.Range(7, PolicyState.MaxVersionsKept), stored.Versions.Select(v => v.Version));
        Assert.Equal((16, "edit 15"), (current!.Version, current.Description));
    }

    [Fact]
    public async Task LargeVersions_KeepOnlyTheHistoryThatFitsTheBudget()
    {
        var kit = new PolicyTestKit(fixture.Cluster.GrainFactory);
        await kit.CreateTenantAsync();
        var profile = await kit.CreateConfigurationAsync("windows10GeneralConfiguration", new Dictionary<string, string> { ["cameraBlocked"] = "true" });
        var large = new string('x', PolicyState.MaxSettingCharacters - 1_000);

        await profile.UpdateAsync(new PolicyUpdate { Description = large });
        await profile.UpdateAsync(new PolicyUpdate { Description = large + "y" });
        await profile.UpdateAsync(new PolicyUpdate { Description = large + "z" });
        var stored = fixture.Storage.Stored<PolicyState>("policy", profile.GetGrainId())!;

        Assert.Equal([3, 4], stored.Versions.Select(v => v.Version));
        Assert.True(stored.Versions.Sum(PolicyState.SettingCharacters) <= PolicyState.HistoryBudgetCharacters);
    }

    [Fact]
    public async Task AVersionLargerThanOneMayHold_IsRefusedNamingTheLimit()
    {
        var kit = new PolicyTestKit(fixture.Cluster.GrainFactory);
        await kit.CreateTenantAsync();
        var profile = await kit.CreateConfigurationAsync("windows10GeneralConfiguration", new Dictionary<string, string> { ["cameraBlocked"] = "true" });

        var refused = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            profile.UpdateAsync(new PolicyUpdate { Description = new string('x', PolicyState.MaxSettingCharacters + 1) }));
        var current = await profile.GetAsync();

        Assert.Contains("262,144", refused.Message);
        Assert.Equal(1, current!.Version);
    }
}
