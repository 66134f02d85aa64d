using Intune.Device.V1;
using Intune.DeviceSim;
using Intune.Grains;
using Intune.Grains.Delivery;
using Intune.Grains.Groups;
using Intune.Grains.Policies;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Intune.Silo.Tests.Delivery;

/// <summary>
/// Delivery at check-in on the real stack: a whole scale unit on Azurite, devices checking in over
/// mutual TLS, the unit's clock a <see cref="FakeTimeProvider"/> moved to each device's next
/// scheduled check-in. An assignment writes no device; each device works out what reaches it at
/// its own check-in, and the caches that serve it rebuild from storage after a restart.
/// </summary>
public sealed class DeliveryOnStorageTests(ITestOutputHelper output)
{
    private const int LargeGroup = 100_000;

    [Fact]
    public async Task OfflineDevices_GetAddsRemovalsAndTheLatestEditAtTheirNextScheduledCheckIn()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = new ScaleUnitTestHost { Time = clock };
        await host.StartAsync();
        var (tenantId, token) = await host.CreateTenantAsync();
        using var member = host.NewDevice(Platform.Windows, 1);
        using var joiner = host.NewDevice(Platform.Windows, 2);
        foreach (var device in new[] { member, joiner })
        {
            await device.EnrollAsync(token);
            await device.CheckInAsync();
        }

        var group = await CreateGroupAsync(host, tenantId, member.DeviceId!);
        var exclusions = await CreateGroupAsync(host, tenantId);
        var (policyId, policy) = await CreatePolicyAsync(host, tenantId);

        // Both devices are offline (no Listen stream): nothing reaches them until they check in.
        await policy.AssignAsync([new AssignmentTarget(AssignmentTargetKind.Group, group.Id), new AssignmentTarget(AssignmentTargetKind.ExclusionGroup, exclusions.Id)]);
        var pending = await policy.GetDeviceOverviewAsync();
        await policy.UpdateAsync(new PolicyUpdate { DisplayName = "Edited once" });
        await policy.UpdateAsync(new PolicyUpdate { DisplayName = "Edited twice" });
        clock.SetUtcNow(member.LastCheckIn!.NextCheckIn.ToDateTimeOffset());
        var scheduled = await member.CheckInAsync();
        var again = await member.CheckInAsync();
        var reported = await policy.GetDeviceOverviewAsync();

        await group.Grain.AddMembersAsync([new GroupMember(GroupMemberKind.Device, joiner.DeviceId!)]);
        var joined = await joiner.CheckInAsync();
        await group.Grain.RemoveMemberAsync(member.DeviceId!);
        await exclusions.Grain.AddMembersAsync([new GroupMember(GroupMemberKind.Device, joiner.DeviceId!)]);
        var removed = await member.CheckInAsync();
        var excluded = await joiner.CheckInAsync();

        Assert.Equal((1, 1), (pending.PendingCount, pending.Total));
        var delivered = Assert.Single(scheduled.CompliancePolicies, p => p.PolicyId == policyId);
        Assert.Equal((3, "Edited twice"), (delivered.Version, delivered.DisplayName));
        Assert.True(again.NotModified);
        Assert.Equal((0, 1), (reported.PendingCount, reported.Total));
        Assert.Contains(joined.CompliancePolicies, p => p.PolicyId == policyId);
        Assert.DoesNotContain(removed.CompliancePolicies, p => p.PolicyId == policyId);
        Assert.DoesNotContain(excluded.CompliancePolicies, p => p.PolicyId == policyId);
        Assert.False(removed.NotModified || excluded.NotModified);
        // The report says so: neither device is in it any more, and nobody is pending.
        Assert.Empty(await policy.GetDeviceStatusesAsync());
        Assert.Equal(0, (await policy.GetDeviceOverviewAsync()).Total);
    }

    [Fact]
    public async Task SiloRestartAndSecondSilo_RebuildTheDeliveryCacheFromStorage()
    {
        var unit = ScaleUnitTestHost.NewUnit("na-01", "na", account: "na01");
        string tenantId, policyId, groupId;
        CheckInResponse before;
        var first = new ScaleUnitTestHost(unit);
        await using (first)
        {
            await first.StartAsync();
            (tenantId, var token) = await first.CreateTenantAsync();
            using var device = first.NewDevice(Platform.Windows, 3);
            await device.EnrollAsync(token);
            await device.CheckInAsync();
            var group = await CreateGroupAsync(first, tenantId, device.DeviceId!);
            groupId = group.Id;
            IPolicyGrain policy;
            (policyId, policy) = await CreatePolicyAsync(first, tenantId);
            await policy.AssignAsync([new AssignmentTarget(AssignmentTargetKind.Group, groupId)]);
            before = await device.CheckInAsync();
            await first.StopAsync();

            // A restarted unit (two silos now, each cache empty) serves the same facts.
            await using var restarted = new ScaleUnitTestHost(unit);
            await using var joining = new ScaleUnitTestHost(unit, gateways: false);
            await restarted.StartAsync();
            await joining.StartAsync();
            using var again = new SimulatedDevice(restarted.DeviceGateway, device.Profile);
            var client = again.CreateClient(device.Certificate, device.CertificateAuthority);
            var unchanged = await client.CheckInAsync(new CheckInRequest { Facts = device.Profile.Facts(), AssignmentEtag = before.AssignmentEtag });
            var caches = await Task.WhenAll(new[] { restarted, joining }.Select(h => h.Services.GetRequiredService<DeliveryCache>().GetAsync(tenantId)));
            await restarted.Grains.GetGrain<IPolicyGrain>(GrainKeys.Scoped(tenantId, policyId)).AssignAsync([]);
            var unassigned = await client.CheckInAsync(new CheckInRequest { Facts = device.Profile.Facts(), AssignmentEtag = unchanged.AssignmentEtag });

            Assert.Contains(before.CompliancePolicies, p => p.PolicyId == policyId);
            Assert.True(unchanged.NotModified);
            Assert.All(caches, c =>
            {
                Assert.True(c.Deliverables.ContainsKey(policyId));
                Assert.Equal(1, c.Groups[groupId].Devices.Count);
            });
            Assert.False(unassigned.NotModified);
            Assert.DoesNotContain(unassigned.CompliancePolicies, p => p.PolicyId == policyId);
        }
    }

    [Fact]
    public async Task DeliveringCheckIn_AnswersBeforeItsWrite_WrittenByTheTimerOrAtDeactivation()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var unit = ScaleUnitTestHost.NewUnit("na-01", "na", account: "na01");
        var host = new ScaleUnitTestHost(unit) { Time = clock };
        string tenantId, policyId;
        SimulatedDevice byTimer, atDeactivation;
        CheckInResponse delivered, deactivated;
        long storedBefore, storedAfterTimer, heldAfterDelivery, heldAfterTimer;
        string deliveringDetail;
        await using (host)
        {
            await host.StartAsync();
            (tenantId, var token) = await host.CreateTenantAsync();
            byTimer = host.NewDevice(Platform.Windows, 5);
            atDeactivation = host.NewDevice(Platform.Windows, 6);
            foreach (var device in new[] { byTimer, atDeactivation })
            {
                await device.EnrollAsync(token);
                await device.CheckInAsync();
            }

            var group = await CreateGroupAsync(host, tenantId, byTimer.DeviceId!, atDeactivation.DeviceId!);
            IPolicyGrain policy;
            (policyId, policy) = await CreatePolicyAsync(host, tenantId);
            await policy.AssignAsync([new AssignmentTarget(AssignmentTargetKind.Group, group.Id)]);

            // The device stays compliant, so what the check-in changes is only the delivered set.
            var before = StorageRequestMeter.Snapshot();
            delivered = await byTimer.CheckInAsync();
            deliveringDetail = StorageRequestMeter.Describe(before, StorageRequestMeter.Snapshot());
            storedBefore = (await StoredAsync(host, byTimer)).AssignmentVersion;
            var gate = host.Services.GetRequiredService<WriteBehindGate>();
            heldAfterDelivery = gate.HeldBack;

            // Past the delay and its per-device spread (15 s + up to 15 s): the timer's write is
            // queued on the grain before this check-in, which is answered after it.
            clock.Advance(TimeSpan.FromMinutes(1));
            var afterTimer = await byTimer.CheckInAsync();
            storedAfterTimer = (await StoredAsync(host, byTimer)).AssignmentVersion;
            heldAfterTimer = gate.HeldBack;
            Assert.True(afterTimer.NotModified);

            deactivated = await atDeactivation.CheckInAsync();
            await host.StopAsync();
        }

        await using var restarted = new ScaleUnitTestHost(unit) { Time = clock };
        await restarted.StartAsync();
        var storedAtDeactivation = await StoredAsync(restarted, atDeactivation);

        output.WriteLine($"delivering check-in: {deliveringDetail}");
        Assert.Contains(delivered.CompliancePolicies, p => p.PolicyId == policyId);
        Assert.DoesNotContain("grainstate/write", deliveringDetail, StringComparison.Ordinal);
        Assert.NotEqual(Version(delivered), storedBefore);
        Assert.Equal(Version(delivered), storedAfterTimer);
        Assert.Equal((1, 0), (heldAfterDelivery, heldAfterTimer));
        Assert.Contains(deactivated.CompliancePolicies, p => p.PolicyId == policyId);
        Assert.Equal(Version(deactivated), storedAtDeactivation.AssignmentVersion);
        Assert.Contains(policyId, storedAtDeactivation.CompliancePolicies.Keys);
        byTimer.Dispose();
        atDeactivation.Dispose();

        static long Version(CheckInResponse response) => long.Parse(response.AssignmentEtag.Trim('"'), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The device's state as its row holds it, read through the unit's grain storage (not the active grain).</summary>
    private static async Task<Intune.Grains.Devices.DeviceState> StoredAsync(ScaleUnitTestHost host, SimulatedDevice device)
    {
        var storage = host.Services.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(Intune.Grains.StorageNames.Grains);
        var grainId = host.Grains.GetGrain<Intune.Grains.Devices.IDeviceGrain>(GrainKeys.Scoped(device.TenantId!, device.DeviceId!)).GetGrainId();
        var state = new Orleans.GrainState<Intune.Grains.Devices.DeviceState>(new Intune.Grains.Devices.DeviceState());
        await storage.ReadStateAsync("device", grainId, state);
        return state.State!;
    }

    [Fact]
    public async Task LargeGroup_AssignCheckInUnassign_EachAdminCallWithinTheStorageBudget()
    {
        await using var host = new ScaleUnitTestHost { Time = new FakeTimeProvider(DateTimeOffset.UtcNow) };
        await host.StartAsync();
        var (tenantId, token) = await host.CreateTenantAsync();
        using var device = host.NewDevice(Platform.Windows, 4);
        await device.EnrollAsync(token);
        await device.CheckInAsync();
        var group = await CreateGroupAsync(host, tenantId);
        foreach (var chunk in Enumerable.Range(0, LargeGroup - 1).Select(i => $"seeded-{i:D6}").Append(device.DeviceId!).Chunk(5_000))
        {
            await group.Grain.AddMembersAsync([.. chunk.Select(id => new GroupMember(GroupMemberKind.Device, id))]);
        }

        var (policyId, policy) = await CreatePolicyAsync(host, tenantId);

        var assign = await MeasureAsync("assign", () => policy.AssignAsync([new AssignmentTarget(AssignmentTargetKind.Group, group.Id)]));
        CheckInResponse? checkIn = null;
        var firstCheckIn = await MeasureAsync("first check-in after the assignment (loads this silo's cache)", async () => checkIn = await device.CheckInAsync());
        var targeted = await policy.GetTargetedDeviceCountAsync();
        var cache = await host.Services.GetRequiredService<DeliveryCache>().GetAsync(tenantId);
        var unassign = await MeasureAsync("unassign", () => policy.AssignAsync([]));
        var dropped = await device.CheckInAsync();

        // The budget: 10 + N/100 for an assignment to N devices; the assignment writes no device and no member row, so it stays within the 10.
        Assert.InRange(assign, 1, 10);
        Assert.InRange(unassign, 1, 10);
        // The members are in the active Group grain: the cache reads no storage for them, and the
        // device's own state (only the delivered set changed) is written behind, not in the check-in.
        Assert.InRange(firstCheckIn, 0, 10 + LargeGroup / 100);
        Assert.Contains(checkIn!.CompliancePolicies, p => p.PolicyId == policyId);
        Assert.Equal(LargeGroup, targeted);
        Assert.InRange(cache.MembershipBytes, 1, 4 * 1024 * 1024);
        Assert.DoesNotContain(dropped.CompliancePolicies, p => p.PolicyId == policyId);
    }

    private async Task<long> MeasureAsync(string what, Func<Task> operation)
    {
        var before = StorageRequestMeter.Snapshot();
        var total = StorageRequestMeter.Total;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await operation();
        var requests = StorageRequestMeter.Total - total;
        output.WriteLine($"{what}: {requests} storage requests ({StorageRequestMeter.Describe(before, StorageRequestMeter.Snapshot())}), {watch.Elapsed.TotalMilliseconds:F0} ms");
        return requests;
    }

    private static async Task<(string Id, IGroupGrain Grain)> CreateGroupAsync(ScaleUnitTestHost host, string tenantId, params string[] deviceIds)
    {
        var id = Guid.NewGuid().ToString();
        var group = host.Grains.GetGrain<IGroupGrain>(GrainKeys.Scoped(tenantId, id));
        await group.CreateAsync($"Group {id[..8]}", null);
        if (deviceIds.Length > 0)
        {
            await group.AddMembersAsync([.. deviceIds.Select(d => new GroupMember(GroupMemberKind.Device, d))]);
        }

        return (id, group);
    }

    private static async Task<(string Id, IPolicyGrain Grain)> CreatePolicyAsync(ScaleUnitTestHost host, string tenantId)
    {
        var id = Guid.NewGuid().ToString();
        var policy = host.Grains.GetGrain<IPolicyGrain>(GrainKeys.Scoped(tenantId, id));
        await policy.CreateAsync(new PolicyDefinition
        {
            Id = "draft",
            Kind = PolicyKind.Compliance,
            ODataType = "windows10CompliancePolicy",
            DisplayName = "Baseline",
            Settings = new Dictionary<string, string> { ["passwordRequired"] = "false" },
            // Arrays, not collection expressions: grain state is JSON with type names, and a
            // one-element collection expression is a compiler-generated type of this assembly.
            ScheduledActions = new[] { new ScheduledActionRule("PasswordRequired", new[] { new ComplianceActionItem(ComplianceActionType.Block, 0, null, Array.Empty<string>()) }) },
        });
        return (id, policy);
    }
}
