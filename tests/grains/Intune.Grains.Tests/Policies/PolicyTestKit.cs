using Intune.Grains.Devices;
using Intune.Grains.Groups;
using Intune.Grains.Policies;
using Intune.Grains.Tenants;

namespace Intune.Grains.Tests.Policies;

/// <summary>A tenant with enrolled devices, groups and policies, driven through the grain contracts.</summary>
public sealed class PolicyTestKit(IGrainFactory grains)
{
    private static readonly byte[] SharedCsr = TestDevices.Csr();

    public string TenantId { get; } = Guid.NewGuid().ToString();

    public async Task<string> CreateTenantAsync()
    {
        var tenant = grains.GetGrain<ITenantGrain>(TenantId);
        await tenant.CreateAsync("Contoso", "na");
        return TenantId;
    }

    public async Task<EnrolledDevice> EnrollAsync(DevicePlatform platform, string? upn = "adele@contoso.example", string osVersion = "10.0.22631")
    {
        var deviceId = Guid.NewGuid().ToString();
        var key = GrainKeys.Scoped(TenantId, deviceId);
        var enrollment = TestDevices.Enrollment(platform, SharedCsr, osVersion) with { UserPrincipalName = upn };
        var result = await grains.GetGrain<IDeviceGrain>(key).EnrollAsync(enrollment);
        return new EnrolledDevice(deviceId, TestDevices.SerialOf(result), grains.GetGrain<IDeviceGrain>(key), grains.GetGrain<IDeviceComplianceGrain>(key));
    }

    public IPolicyGrain Policy(string id) => grains.GetGrain<IPolicyGrain>(GrainKeys.Scoped(TenantId, id));

    public IGroupGrain Group(string id) => grains.GetGrain<IGroupGrain>(GrainKeys.Scoped(TenantId, id));

    public ITenantComplianceGrain Tenant => grains.GetGrain<ITenantComplianceGrain>(TenantId);

    public IDeviceStateSummaryGrain Summary => grains.GetGrain<IDeviceStateSummaryGrain>(TenantId);

    public async Task<IPolicyGrain> CreateComplianceAsync(string odataType, IReadOnlyDictionary<string, string> settings, int graceHours = 0, params ComplianceActionItem[] extraActions)
    {
        var policy = Policy(Guid.NewGuid().ToString());
        await policy.CreateAsync(new PolicyDefinition
        {
            Id = "draft",
            Kind = PolicyKind.Compliance,
            ODataType = odataType,
            DisplayName = $"{odataType} test",
            Settings = settings,
            ScheduledActions = [new ScheduledActionRule("PasswordRequired", [new ComplianceActionItem(ComplianceActionType.Block, graceHours, null, []), .. extraActions])],
        });
        return policy;
    }

    public async Task<IPolicyGrain> CreateConfigurationAsync(string odataType, IReadOnlyDictionary<string, string> settings)
    {
        var policy = Policy(Guid.NewGuid().ToString());
        await policy.CreateAsync(new PolicyDefinition
        {
            Id = "draft",
            Kind = PolicyKind.Configuration,
            ODataType = odataType,
            DisplayName = $"{odataType} profile",
            Settings = settings,
        });
        return policy;
    }

    public async Task<IGroupGrain> CreateGroupAsync(params GroupMember[] members)
    {
        var group = Group(Guid.NewGuid().ToString());
        await group.CreateAsync("Group", null);
        if (members.Length > 0)
        {
            await group.AddMembersAsync(members);
        }

        return group;
    }

    public static AssignmentTarget Include(IGroupGrain group) => new(AssignmentTargetKind.Group, GrainKeys.Split(group.GetPrimaryKeyString()).Id);

    public static AssignmentTarget Exclude(IGroupGrain group) => new(AssignmentTargetKind.ExclusionGroup, GrainKeys.Split(group.GetPrimaryKeyString()).Id);
}

public sealed record EnrolledDevice(string Id, string Serial, IDeviceGrain Device, IDeviceComplianceGrain Compliance)
{
    public Task<DeviceCheckInResult> CheckInAsync(DeviceFacts facts, string? etag = null, IReadOnlyList<SettingReport>? reports = null) =>
        Device.CheckInAsync(new DeviceCheckIn(Serial, facts, etag) { SettingReports = reports ?? [] });

    public static GroupMember AsMember(EnrolledDevice device) => new(GroupMemberKind.Device, device.Id);
}
