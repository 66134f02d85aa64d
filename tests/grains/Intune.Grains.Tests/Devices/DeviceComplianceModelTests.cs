using Intune.Grains.Devices;
using Intune.Grains.Policies;
using Intune.Grains.Tenants;

namespace Intune.Grains.Tests.Devices;

/// <summary>The device's compliance rules without a cluster: evaluation, merge, roll-up, deadlines.</summary>
public sealed class DeviceComplianceModelTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    private static PolicyDefinition PasswordPolicy(int graceHours = 0, int version = 1, params ComplianceActionItem[] extra) => new()
    {
        Id = "p1",
        Kind = PolicyKind.Compliance,
        ODataType = "windows10CompliancePolicy",
        DisplayName = "Password",
        Version = version,
        Settings = new Dictionary<string, string> { ["passwordRequired"] = "true" },
        ScheduledActions = [new ScheduledActionRule("PasswordRequired", [new ComplianceActionItem(ComplianceActionType.Block, graceHours, null, []), .. extra])],
    };

    private static PolicyDefinition Profile(string id, string setting, string value) => new()
    {
        Id = id,
        Kind = PolicyKind.Configuration,
        ODataType = "windows10GeneralConfiguration",
        DisplayName = id,
        Version = 1,
        Settings = new Dictionary<string, string> { [setting] = value },
    };

    private static DeviceState Device(bool passcode = true) => new()
    {
        TenantId = "t",
        DeviceId = "d",
        Platform = DevicePlatform.Windows,
        HasCheckedIn = true,
        Facts = new DeviceFacts { OsVersion = "10.0.22631", PasscodeSet = passcode },
    };

    private static DevicePolicyStatus Status(string id, PolicyDeviceState state) =>
        new() { PolicyId = id, Kind = PolicyKind.Compliance, DisplayName = id, ODataType = "windows10CompliancePolicy", State = state };

    [Fact]
    public void EvaluatePolicy_NotCheckedIn_IsPending()
    {
        var device = Device();
        device.HasCheckedIn = false;

        Assert.Equal(PolicyDeviceState.Unknown, DeviceComplianceModel.EvaluatePolicy(device, PasswordPolicy(), null, Now).State);
    }

    [Fact]
    public void EvaluatePolicy_FailingWithGrace_InGracePeriodUntilDeadline()
    {
        var status = DeviceComplianceModel.EvaluatePolicy(Device(passcode: false), PasswordPolicy(graceHours: 24), null, Now);

        Assert.Equal(PolicyDeviceState.InGracePeriod, status.State);
        Assert.Equal(Now, status.NoncompliantSince);
        Assert.Equal(Now.AddHours(24), status.GracePeriodExpiration);
    }

    [Fact]
    public void EvaluatePolicy_GracePassed_NoncompliantKeepsEpisodeStart()
    {
        var device = Device(passcode: false);
        var first = DeviceComplianceModel.EvaluatePolicy(device, PasswordPolicy(graceHours: 24), null, Now);

        var later = DeviceComplianceModel.EvaluatePolicy(device, PasswordPolicy(graceHours: 24), first, Now.AddHours(25));

        Assert.Equal(PolicyDeviceState.NonCompliant, later.State);
        Assert.Equal(Now, later.NoncompliantSince);
    }

    [Fact]
    public void EvaluatePolicy_FixedAtSameVersion_Remediated_NewVersionIsCompliant()
    {
        var failing = DeviceComplianceModel.EvaluatePolicy(Device(passcode: false), PasswordPolicy(), null, Now);

        var fixedSame = DeviceComplianceModel.EvaluatePolicy(Device(), PasswordPolicy(), failing, Now.AddHours(1));
        var fixedNew = DeviceComplianceModel.EvaluatePolicy(Device(), PasswordPolicy(version: 2), failing, Now.AddHours(1));

        Assert.Equal(PolicyDeviceState.Remediated, fixedSame.State);
        Assert.Equal(PolicyDeviceState.Compliant, fixedNew.State);
    }

    [Fact]
    public void MergeConfiguration_AgreeingAndConflictingProfiles_DeliversAgreedReportsConflict()
    {
        var device = Device();
        device.ConfigurationProfiles["a"] = Profile("a", "cameraBlocked", "true") with { Settings = new Dictionary<string, string> { ["cameraBlocked"] = "true", ["bluetoothBlocked"] = "true" } };
        device.ConfigurationProfiles["b"] = Profile("b", "cameraBlocked", "false") with { Settings = new Dictionary<string, string> { ["cameraBlocked"] = "false", ["bluetoothBlocked"] = "true" } };

        var (delivered, conflicts) = DeviceComplianceModel.MergeConfiguration(device);

        var bluetooth = Assert.Single(delivered);
        Assert.Equal(("bluetoothBlocked", "true"), (bluetooth.Setting, bluetooth.Value));
        Assert.Equal(["a", "b"], bluetooth.PolicyIds);
        var camera = Assert.Single(conflicts);
        Assert.Equal("cameraBlocked", camera.Setting);
    }

    [Fact]
    public void EvaluateConfiguration_ConflictErrorAndSuccess_OneStatePerProfile()
    {
        var device = Device();
        device.ConfigurationProfiles["a"] = Profile("a", "cameraBlocked", "true");
        device.ConfigurationProfiles["b"] = Profile("b", "cameraBlocked", "false");
        device.ConfigurationProfiles["c"] = Profile("c", "bluetoothBlocked", "true");
        device.ConfigurationProfiles["d"] = Profile("d", "storageBlockRemovableStorage", "true");
        device.SettingReports["c/bluetoothBlocked"] = new SettingReport("c", "bluetoothBlocked", true, null);
        device.SettingReports["d/storageBlockRemovableStorage"] = new SettingReport("d", "storageBlockRemovableStorage", false, "denied");

        var states = DeviceComplianceModel.EvaluateConfiguration(device, Now).ToDictionary(s => s.PolicyId, s => s.State);

        Assert.Equal(PolicyDeviceState.Conflict, states["a"]);
        Assert.Equal(PolicyDeviceState.Conflict, states["b"]);
        Assert.Equal(PolicyDeviceState.Compliant, states["c"]);
        Assert.Equal(PolicyDeviceState.Error, states["d"]);
    }

    [Theory]
    [InlineData(false, ComplianceState.Compliant)]
    [InlineData(true, ComplianceState.Noncompliant)]
    public void ComputeOverall_NoPolicy_FollowsSecureByDefault(bool secureByDefault, ComplianceState expected)
    {
        var device = Device();
        device.ComplianceSettings = ComplianceSettings.Default with { SecureByDefault = secureByDefault };

        Assert.Equal(expected, DeviceComplianceModel.ComputeOverall(device, Now, Now));
    }

    [Fact]
    public void ComputeOverall_ValidityPassedOrUserDeleted_Noncompliant()
    {
        var device = Device();
        device.ComplianceStatuses["p1"] = DeviceComplianceModel.EvaluatePolicy(device, PasswordPolicy(), null, Now);
        var threshold = TimeSpan.FromDays(ComplianceSettings.Default.DeviceComplianceCheckinThresholdDays);

        Assert.Equal(ComplianceState.Compliant, DeviceComplianceModel.ComputeOverall(device, Now, Now + threshold));
        Assert.Equal(ComplianceState.Noncompliant, DeviceComplianceModel.ComputeOverall(device, Now, Now + threshold + TimeSpan.FromTicks(1)));
        device.EnrolledUserDeleted = true;
        Assert.Equal(ComplianceState.Noncompliant, DeviceComplianceModel.ComputeOverall(device, Now, Now));
    }

    [Fact]
    public void ComputeOverall_WorstPolicyWins()
    {
        var device = Device(passcode: false);
        device.ComplianceStatuses["ok"] = Status("ok", PolicyDeviceState.Compliant);
        device.ComplianceStatuses["grace"] = Status("grace", PolicyDeviceState.InGracePeriod);

        Assert.Equal(ComplianceState.InGracePeriod, DeviceComplianceModel.ComputeOverall(device, Now, Now));
    }

    [Fact]
    public void NextDeadline_GraceAndScheduledAction_EarliestFirstThenValidity()
    {
        var device = Device(passcode: false);
        var policy = PasswordPolicy(graceHours: 24, extra: new ComplianceActionItem(ComplianceActionType.Notification, 2, null, []));
        device.CompliancePolicies["p1"] = policy;
        device.ComplianceStatuses["p1"] = DeviceComplianceModel.EvaluatePolicy(device, policy, null, Now);

        Assert.Equal(Now.AddHours(2), DeviceComplianceModel.NextDeadline(device, Now, Now));
        Assert.Empty(DeviceComplianceModel.DueActions(device, Now.AddHours(1)));
        var due = Assert.Single(DeviceComplianceModel.DueActions(device, Now.AddHours(2)));
        Assert.Equal(("p1/0/1", ComplianceActionType.Notification), (due.Key, due.Action.ActionType));

        device.FiredActions.Add("p1/0/1");
        Assert.Equal(Now.AddHours(24), DeviceComplianceModel.NextDeadline(device, Now, Now.AddHours(2)));
        Assert.True(DeviceComplianceModel.HasDueDeadline(device, Now, Now.AddHours(24)));
        Assert.Equal(Now.AddDays(30).AddTicks(1), DeviceComplianceModel.NextDeadline(device, Now, Now.AddHours(25)));
    }
}
