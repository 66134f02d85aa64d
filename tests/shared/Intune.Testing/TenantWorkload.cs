using Intune.DeviceSim;
using Intune.Grains;
using Intune.Grains.Groups;
using Intune.Grains.Policies;

namespace Intune.Testing;

/// <summary>
/// A tenant that has written to every kind of store a unit has: enrolled devices (grain state,
/// device catalog, reminders), a group of them (member sets) and a compliance policy assigned to
/// the group that the devices have checked in against (policy targets and reports).
/// </summary>
public sealed record TenantWorkload(string TenantId, string EnrollmentToken, string GroupId, string PolicyId, IReadOnlyList<SimulatedDevice> Devices) : IDisposable
{
    public static async Task<TenantWorkload> CreateAsync(ScaleUnitTestHost host, int devices, string name = "Workload Co")
    {
        var (tenantId, token) = await host.CreateTenantAsync(name);
        var enrolled = new List<SimulatedDevice>();
        for (var i = 0; i < devices; i++)
        {
            var device = host.NewDevice(index: i);
            await device.EnrollAsync(token);
            enrolled.Add(device);
        }

        var groupId = Guid.NewGuid().ToString();
        var group = host.Grains.GetGrain<IGroupGrain>(GrainKeys.Scoped(tenantId, groupId));
        await group.CreateAsync("Workload devices", null);
        await group.AddMembersAsync(enrolled.Select(d => new GroupMember(GroupMemberKind.Device, d.DeviceId!)).ToList());
        var policyId = Guid.NewGuid().ToString();
        var policy = host.Grains.GetGrain<IPolicyGrain>(GrainKeys.Scoped(tenantId, policyId));
        await policy.CreateAsync(new PolicyDefinition
        {
            Id = "draft",
            Kind = PolicyKind.Compliance,
            ODataType = "windows10CompliancePolicy",
            DisplayName = "Workload baseline",
            Settings = new Dictionary<string, string> { ["passwordRequired"] = "true" },
            // Arrays, not collection expressions: grain state is JSON with type names.
            ScheduledActions = new[] { new ScheduledActionRule("PasswordRequired", new[] { new ComplianceActionItem(ComplianceActionType.Block, 0, null, Array.Empty<string>()) }) },
        });
        await policy.AssignAsync(new[] { new AssignmentTarget(AssignmentTargetKind.Group, groupId) });
        foreach (var device in enrolled)
        {
            await device.CheckInAsync();
        }

        return new TenantWorkload(tenantId, token, groupId, policyId, enrolled);
    }

    public void Dispose()
    {
        foreach (var device in Devices)
        {
            device.Dispose();
        }
    }
}
