using System.Diagnostics;
using Azure.Data.Tables;
using Intune.Grains;
using Intune.Grains.Groups;
using Intune.Grains.Policies;
using Xunit.Abstractions;

namespace Intune.Silo.Tests.Storage;

/// <summary>
/// A group and a policy target set larger than one grain-state entity holds (1 MB, about 25,000
/// device ids) on real Azure Table storage (Azurite): 30,000 members survive a restart of the
/// whole scale unit, and the restarted unit's delivery cache counts the 30,000 devices a policy
/// assigned to their group reaches.
/// </summary>
public sealed class LargeGroupStorageTests(ITestOutputHelper output)
{
    private const int Members = 30_000;
    private const int MembersPerCall = 5_000;

    [Fact]
    public async Task AddMembersAsync_30000DevicesToATargetedGroup_MembersAndPolicyTargetsSurviveRestart()
    {
        var clock = Stopwatch.StartNew();
        var groupId = Guid.NewGuid().ToString();
        var policyId = Guid.NewGuid().ToString();
        var deviceIds = Enumerable.Range(0, Members).Select(i => $"{i:D5}-{Guid.NewGuid()}").ToList();
        string tenantId;
        string prefix;
        TableServiceClient tables;
        await using (var first = new ScaleUnitTestHost())
        {
            await first.StartAsync();
            prefix = first.StoragePrefix;
            tables = first.Tables;
            (tenantId, _) = await first.CreateTenantAsync();
            var group = first.Grains.GetGrain<IGroupGrain>(GrainKeys.Scoped(tenantId, groupId));
            await group.CreateAsync("All kiosks", null);
            var policy = first.Grains.GetGrain<IPolicyGrain>(GrainKeys.Scoped(tenantId, policyId));
            await policy.CreateAsync(new PolicyDefinition
            {
                Id = "draft",
                Kind = PolicyKind.Compliance,
                ODataType = "windows10CompliancePolicy",
                DisplayName = "Kiosk baseline",
                Settings = new Dictionary<string, string> { ["passwordRequired"] = "true" },
                // Arrays, not collection expressions: grain state is JSON with type names, and a
                // one-element collection expression is a compiler-generated type of this assembly.
                ScheduledActions = new[] { new ScheduledActionRule("PasswordRequired", new[] { new ComplianceActionItem(ComplianceActionType.Block, 0, null, Array.Empty<string>()) }) },
            });
            // Assigned first, so each bulk add is a targeted group's change (one tenant write each,
            // besides the batched member rows); no device is written.
            await policy.AssignAsync(new[] { new AssignmentTarget(AssignmentTargetKind.Group, groupId) });
            foreach (var chunk in deviceIds.Chunk(MembersPerCall))
            {
                await group.AddMembersAsync(chunk.Select(id => new GroupMember(GroupMemberKind.Device, id)).ToList());
            }

            output.WriteLine($"{Members} members added and targeted: {clock.Elapsed}");
        }

        var rows = 0;
        await foreach (var _ in tables.GetTableClient($"{prefix}membersets")
            .QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {TableMemberSetStore.PartitionKey(tenantId, MemberSets.GroupDevices(groupId))}"), select: ["RowKey"]))
        {
            rows++;
        }

        await using var second = new ScaleUnitTestHost(prefix);
        await second.StartAsync();
        var restarted = second.Grains.GetGrain<IGroupGrain>(GrainKeys.Scoped(tenantId, groupId));
        var info = await restarted.GetAsync();
        var members = await restarted.GetMembersAsync();
        var targeted = await second.Grains.GetGrain<IPolicyGrain>(GrainKeys.Scoped(tenantId, policyId)).GetTargetedDeviceCountAsync();
        output.WriteLine($"restarted: {clock.Elapsed}");

        Assert.Equal(Members, rows);
        Assert.Equal(Members, info!.DeviceMemberCount);
        Assert.Equal(deviceIds.Order(StringComparer.Ordinal), members.Devices.Order(StringComparer.Ordinal));
        Assert.Equal((true, false), await restarted.ContainsAsync(deviceIds[^1], null));
        Assert.Equal(Members, targeted);
    }
}
