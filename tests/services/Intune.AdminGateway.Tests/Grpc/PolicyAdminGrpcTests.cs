using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Intune.Admin.V1;
using Intune.DeviceSim;
using DeviceComplianceState = Intune.Device.V1.ComplianceState;
using DevicePlatform = Intune.Device.V1.Platform;

namespace Intune.AdminGateway.Tests.Grpc;

/// <summary>
/// gRPC <c>intune.admin.v1</c> for policies, profiles, groups, compliance settings and access
/// verdicts, end to end: a whole scale unit on Azurite, devices checking in over the real
/// mutual-TLS device gateway, the admin driving everything over h2c gRPC.
/// </summary>
public sealed class PolicyAdminGrpcTests(PolicyAdminGrpcTests.Unit unit) : IClassFixture<PolicyAdminGrpcTests.Unit>
{
    private DevicePolicies.DevicePoliciesClient Policies => new(unit.Channel);

    private Groups.GroupsClient GroupsClient => new(unit.Channel);

    private static Struct Graph(JsonObject json) => JsonParser.Default.Parse<Struct>(json.ToJsonString());

    private static JsonObject WindowsPolicy(string name) => new()
    {
        ["@odata.type"] = "#microsoft.graph.windows10CompliancePolicy",
        ["displayName"] = name,
        ["bitLockerEnabled"] = true,
        ["osMinimumVersion"] = "10.0.19045",
        ["passwordRequired"] = true,
        ["passwordMinimumLength"] = 8,
        ["scheduledActionsForRule"] = new JsonArray(new JsonObject
        {
            ["ruleName"] = "PasswordRequired",
            ["scheduledActionConfigurations"] = new JsonArray(
                new JsonObject { ["actionType"] = "block", ["gracePeriodHours"] = 0 },
                new JsonObject { ["actionType"] = "retire", ["gracePeriodHours"] = 0 }),
        }),
    };

    /// <summary>A tenant with a compliant and a noncompliant Windows device, both checked in, in one device group (made over gRPC).</summary>
    private async Task<Fleet> ArrangeAsync()
    {
        var (tenantId, token) = await unit.Host.CreateTenantAsync();
        var auth = unit.Auth(tenantId);
        var good = unit.Host.NewDevice(DevicePlatform.Windows, 1);
        var bad = new SimulatedDevice(unit.Host.DeviceGateway, DeviceProfile.Create(DevicePlatform.Windows, 2, noncompliant: true, new Random(2)));
        foreach (var device in new[] { good, bad })
        {
            await device.EnrollAsync(token);
            await device.CheckInAsync();
        }

        var group = await GroupsClient.CreateGroupAsync(new CreateGroupRequest { DisplayName = "Windows fleet" }, auth);
        var add = new AddGroupMembersRequest { GroupId = group.Id };
        add.Members.Add(new GroupMember { Kind = GroupMemberKind.Device, Id = good.DeviceId });
        add.Members.Add(new GroupMember { Kind = GroupMemberKind.Device, Id = bad.DeviceId });
        await GroupsClient.AddGroupMembersAsync(add, auth);
        return new Fleet(tenantId, auth, good, bad, group.Id);
    }

    private async Task<PolicyAssignments> AssignToGroupAsync(Metadata auth, PolicyKind kind, string policyId, string groupId)
    {
        var assign = new AssignPolicyRequest { Kind = kind, Id = policyId };
        assign.Targets.Add(new PolicyAssignmentTarget { Kind = AssignmentTargetKind.Group, GroupId = groupId });
        return await Policies.AssignPolicyAsync(assign, auth);
    }

    [Fact]
    public async Task CreateAssignCheckIn_CompliancePolicy_ReportsMatchThroughGrpc()
    {
        var fleet = await ArrangeAsync();
        using var _ = fleet;

        var created = await Policies.CreatePolicyAsync(new CreatePolicyRequest { Kind = PolicyKind.Compliance, GraphBody = Graph(WindowsPolicy("Windows baseline")) }, fleet.Auth);
        var assigned = await AssignToGroupAsync(fleet.Auth, PolicyKind.Compliance, created.Id, fleet.GroupId);
        var goodCheckIn = await fleet.Good.CheckInAsync();
        var badCheckIn = await fleet.Bad.CheckInAsync();

        Assert.Equal(("#microsoft.graph.windows10CompliancePolicy", 1), (created.OdataType, created.Version));
        Assert.Equal(8, created.GraphBody.Fields["passwordMinimumLength"].NumberValue);
        Assert.Equal(fleet.GroupId, Assert.Single(assigned.Assignments).Target.GroupId);
        Assert.Equal(DeviceComplianceState.Compliant, goodCheckIn.ComplianceState);
        Assert.Equal(DeviceComplianceState.Noncompliant, badCheckIn.ComplianceState);
        var policy = new PolicyRef { Kind = PolicyKind.Compliance, Id = created.Id };
        var overview = await Policies.GetPolicyDeviceStatusOverviewAsync(policy, fleet.Auth);
        Assert.Equal((1, 1, 0), (overview.SuccessCount, overview.FailedCount, overview.PendingCount));
        var statuses = await Policies.ListPolicyDeviceStatusesAsync(policy, fleet.Auth);
        Assert.Equal("nonCompliant", Assert.Single(statuses.Statuses, s => s.DeviceId == fleet.Bad.DeviceId).Status);
        Assert.Equal("compliant", Assert.Single(statuses.Statuses, s => s.DeviceId == fleet.Good.DeviceId).Status);
        var users = await Policies.GetPolicyUserStatusOverviewAsync(policy, fleet.Auth);
        Assert.Equal(2, users.SuccessCount + users.FailedCount);
        Assert.NotEmpty((await Policies.ListPolicyUserStatusesAsync(policy, fleet.Auth)).Statuses);
        var summary = await Policies.GetDeviceStateSummaryAsync(new GetDeviceStateSummaryRequest { Kind = PolicyKind.Compliance }, fleet.Auth);
        Assert.Equal((1, 1), (summary.CompliantDeviceCount, summary.NonCompliantDeviceCount));
        var states = await Policies.ListDevicePolicyStatesAsync(new ListDevicePolicyStatesRequest { DeviceId = fleet.Bad.DeviceId, Kind = PolicyKind.Compliance }, fleet.Auth);
        var state = Assert.Single(states.States);
        Assert.Equal("nonCompliant", state.State);
        Assert.Equal("nonCompliant", Assert.Single(state.SettingStates, s => s.Setting == "bitLockerEnabled").State);

        // Leaving the group unassigns the policy: the device drops it, and out of its report, at its next check-in.
        await GroupsClient.RemoveGroupMemberAsync(new RemoveGroupMemberRequest { GroupId = fleet.GroupId, MemberId = fleet.Bad.DeviceId }, fleet.Auth);
        await fleet.Bad.CheckInAsync();
        var afterRemoval = await Policies.GetPolicyDeviceStatusOverviewAsync(policy, fleet.Auth);
        Assert.Equal((1, 0), (afterRemoval.SuccessCount, afterRemoval.FailedCount));
        Assert.Equal(fleet.Good.DeviceId, Assert.Single((await Policies.ListPolicyDeviceStatusesAsync(policy, fleet.Auth)).Statuses).DeviceId);
    }

    [Fact]
    public async Task RetireList_NoncompliantDeviceWithRetireAction_IsListedAndConfirmedOverGrpc()
    {
        var fleet = await ArrangeAsync();
        using var _ = fleet;
        var retire = new ComplianceRetireRequests.ComplianceRetireRequestsClient(unit.Channel);
        var created = await Policies.CreatePolicyAsync(new CreatePolicyRequest { Kind = PolicyKind.Compliance, GraphBody = Graph(WindowsPolicy("Retire the unfixable")) }, fleet.Auth);
        await AssignToGroupAsync(fleet.Auth, PolicyKind.Compliance, created.Id, fleet.GroupId);
        await fleet.Bad.CheckInAsync();

        var pending = await retire.ListComplianceRetireRequestsAsync(new ListComplianceRetireRequestsRequest(), fleet.Auth);
        await retire.ConfirmComplianceRetireRequestAsync(new ComplianceRetireRequestRef { ManagedDeviceId = fleet.Bad.DeviceId }, fleet.Auth);
        var again = await Assert.ThrowsAsync<RpcException>(() =>
            retire.DismissComplianceRetireRequestAsync(new ComplianceRetireRequestRef { ManagedDeviceId = fleet.Bad.DeviceId }, fleet.Auth).ResponseAsync);
        var decided = await retire.ListComplianceRetireRequestsAsync(new ListComplianceRetireRequestsRequest(), fleet.Auth);

        var request = Assert.Single(pending.Requests);
        Assert.Equal((fleet.Bad.DeviceId, created.Id, "retire", "pending"), (request.ManagedDeviceId, request.PolicyId, request.ActionType, request.State));
        Assert.Equal(StatusCode.NotFound, again.StatusCode);
        Assert.Equal("confirmed", Assert.Single(decided.Requests).State);
    }

    [Fact]
    public async Task ConfigurationProfiles_ConflictingSetting_IsVisibleOverGrpc()
    {
        var fleet = await ArrangeAsync();
        using var _ = fleet;
        var ids = new List<string>();
        foreach (var camera in new[] { true, false })
        {
            var profile = await Policies.CreatePolicyAsync(new CreatePolicyRequest
            {
                Kind = PolicyKind.Configuration,
                GraphBody = Graph(new JsonObject
                {
                    ["@odata.type"] = "#microsoft.graph.windows10GeneralConfiguration",
                    ["displayName"] = $"Camera {camera}",
                    ["cameraBlocked"] = camera,
                    ["bluetoothBlocked"] = true,
                }),
            }, fleet.Auth);
            ids.Add(profile.Id);
            await AssignToGroupAsync(fleet.Auth, PolicyKind.Configuration, profile.Id, fleet.GroupId);
        }

        var checkIn = await fleet.Good.CheckInAsync();

        Assert.Equal("cameraBlocked", Assert.Single(checkIn.Conflicts).Setting);
        var states = await Policies.ListDevicePolicyStatesAsync(new ListDevicePolicyStatesRequest { DeviceId = fleet.Good.DeviceId, Kind = PolicyKind.Configuration }, fleet.Auth);
        Assert.Equal(2, states.States.Count);
        Assert.All(states.States, s => Assert.Equal("conflict", s.State));
        var overview = await Policies.GetPolicyDeviceStatusOverviewAsync(new PolicyRef { Kind = PolicyKind.Configuration, Id = ids[0] }, fleet.Auth);
        // The device that checked in has the conflict; the group's other device has not checked in since the assignment: pending.
        Assert.Equal((1, 1), (overview.ConflictCount, overview.PendingCount));
        var summary = await Policies.GetDeviceStateSummaryAsync(new GetDeviceStateSummaryRequest { Kind = PolicyKind.Configuration }, fleet.Auth);
        Assert.Equal(1, summary.ConflictDeviceCount);
        var listed = await Policies.ListPoliciesAsync(new ListPoliciesRequest { Kind = PolicyKind.Configuration, ExpandAssignments = true }, fleet.Auth);
        Assert.Equal(ids.Order(), listed.Policies.Select(p => p.Id).Order());
        Assert.All(listed.Policies, p => Assert.Single(p.GraphBody.Fields["assignments"].ListValue.Values));
    }

    [Fact]
    public async Task UpdateAndSchedule_CompliancePolicy_NewVersionsAndAuditedWithOutcome()
    {
        var (tenantId, _) = await unit.Host.CreateTenantAsync();
        var auth = unit.Auth(tenantId);
        var created = await Policies.CreatePolicyAsync(new CreatePolicyRequest { Kind = PolicyKind.Compliance, GraphBody = Graph(WindowsPolicy("Baseline")) }, auth);

        var updated = await Policies.UpdatePolicyAsync(new UpdatePolicyRequest { Kind = PolicyKind.Compliance, Id = created.Id, GraphBody = Graph(new JsonObject { ["passwordMinimumLength"] = 12 }) }, auth);
        var typo = await Assert.ThrowsAsync<RpcException>(() =>
            Policies.UpdatePolicyAsync(new UpdatePolicyRequest { Kind = PolicyKind.Compliance, Id = created.Id, GraphBody = Graph(new JsonObject { ["bitlockerEnabled"] = true }) }, auth).ResponseAsync);
        var schedule = new ScheduleActionsForRulesRequest { Id = created.Id };
        schedule.Rules.Add(new ScheduledActionForRule { RuleName = "PasswordRequired", ScheduledActionConfigurations = { new ScheduledActionConfiguration { ActionType = "block", GracePeriodHours = 24 } } });
        var scheduled = await Policies.ScheduleActionsForRulesAsync(schedule, auth);
        var badAction = new ScheduleActionsForRulesRequest { Id = created.Id };
        badAction.Rules.Add(new ScheduledActionForRule { ScheduledActionConfigurations = { new ScheduledActionConfiguration { ActionType = "explode" } } });
        var refused = await Assert.ThrowsAsync<RpcException>(() => Policies.ScheduleActionsForRulesAsync(badAction, auth).ResponseAsync);
        var fetched = await Policies.GetPolicyAsync(new GetPolicyRequest { Kind = PolicyKind.Compliance, Id = created.Id, ExpandScheduledActions = true }, auth);
        var audit = await new AuditEvents.AuditEventsClient(unit.Channel).ListAuditEventsAsync(new ListAuditEventsRequest { Filter = "category eq 'Compliance'" }, auth);
        await Policies.DeletePolicyAsync(new PolicyRef { Kind = PolicyKind.Compliance, Id = created.Id }, auth);
        var gone = await Assert.ThrowsAsync<RpcException>(() => Policies.GetPolicyAsync(new GetPolicyRequest { Kind = PolicyKind.Compliance, Id = created.Id }, auth).ResponseAsync);

        Assert.Equal((2, 12d), (updated.Version, updated.GraphBody.Fields["passwordMinimumLength"].NumberValue));
        Assert.True(updated.GraphBody.Fields["bitLockerEnabled"].BoolValue);
        Assert.Equal(StatusCode.InvalidArgument, typo.StatusCode);
        Assert.Contains("bitlockerEnabled", typo.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(3, scheduled.Version);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("explode", refused.Status.Detail, StringComparison.Ordinal);
        var action = fetched.GraphBody.Fields["scheduledActionsForRule"].ListValue.Values[0].StructValue.Fields["scheduledActionConfigurations"].ListValue.Values[0].StructValue;
        Assert.Equal(("block", 24d), (action.Fields["actionType"].StringValue, action.Fields["gracePeriodHours"].NumberValue));
        Assert.Contains(audit.Events, e => e.ActivityType == "Create DeviceCompliancePolicy" && e.ActivityResult == "Success" && e.ResourceIds.Contains(created.Id));
        Assert.Contains(audit.Events, e => e.ActivityType == "Patch DeviceCompliancePolicy" && e.ActivityResult == "Failure");
        Assert.Contains(audit.Events, e => e.ActivityType == "scheduleActionsForRules DeviceCompliancePolicy" && e.ActivityResult == "Success");
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task CreatePolicy_InvalidBodies_AreInvalidArgumentNamingTheProblem()
    {
        var (tenantId, _) = await unit.Host.CreateTenantAsync();
        var auth = unit.Auth(tenantId);
        var noBlock = WindowsPolicy("No block");
        noBlock.Remove("scheduledActionsForRule");
        var typo = WindowsPolicy("Typo");
        typo["bitlockerEnabled"] = true;
        var wrongType = WindowsPolicy("Wrong type");
        wrongType["passwordMinimumLength"] = "eight";

        async Task<RpcException> CreateAsync(JsonObject body, PolicyKind kind = PolicyKind.Compliance) =>
            await Assert.ThrowsAsync<RpcException>(() => Policies.CreatePolicyAsync(new CreatePolicyRequest { Kind = kind, GraphBody = Graph(body) }, auth).ResponseAsync);

        var errors = new[]
        {
            (await CreateAsync(noBlock), "block"),
            (await CreateAsync(typo), "bitlockerEnabled"),
            (await CreateAsync(wrongType), "passwordMinimumLength"),
            (await CreateAsync(WindowsPolicy("Profile?"), PolicyKind.Configuration), "windows10CompliancePolicy"),
            (await CreateAsync(WindowsPolicy("No kind"), PolicyKind.Unspecified), "kind"),
        };

        Assert.All(errors, e =>
        {
            Assert.Equal(StatusCode.InvalidArgument, e.Item1.StatusCode);
            Assert.Contains(e.Item2, e.Item1.Status.Detail, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task GroupMembers_AddListRemove_FollowChangesAndRefuseBadMembers()
    {
        var (tenantId, _) = await unit.Host.CreateTenantAsync();
        var auth = unit.Auth(tenantId);
        var group = await GroupsClient.CreateGroupAsync(new CreateGroupRequest { DisplayName = "Sales", Description = "Sales devices and people" }, auth);
        var deviceId = Guid.NewGuid().ToString();

        await GroupsClient.AddGroupMembersAsync(new AddGroupMembersRequest
        {
            GroupId = group.Id,
            Members = { new GroupMember { Kind = GroupMemberKind.Device, Id = deviceId }, new GroupMember { Kind = GroupMemberKind.User, Id = "Adele@Contoso.example" } },
        }, auth);
        var both = await GroupsClient.ListGroupMembersAsync(new GroupRef { Id = group.Id }, auth);
        await GroupsClient.RemoveGroupMemberAsync(new RemoveGroupMemberRequest { GroupId = group.Id, MemberId = deviceId }, auth);
        var one = await GroupsClient.ListGroupMembersAsync(new GroupRef { Id = group.Id }, auth);
        var fetched = await GroupsClient.GetGroupAsync(new GroupRef { Id = group.Id }, auth);
        var notMember = await Assert.ThrowsAsync<RpcException>(() =>
            GroupsClient.RemoveGroupMemberAsync(new RemoveGroupMemberRequest { GroupId = group.Id, MemberId = deviceId }, auth).ResponseAsync);
        var badUser = await Assert.ThrowsAsync<RpcException>(() => GroupsClient.AddGroupMembersAsync(new AddGroupMembersRequest
        {
            GroupId = group.Id,
            Members = { new GroupMember { Kind = GroupMemberKind.User, Id = "adele" } },
        }, auth).ResponseAsync);
        var noName = await Assert.ThrowsAsync<RpcException>(() => GroupsClient.CreateGroupAsync(new CreateGroupRequest(), auth).ResponseAsync);
        await GroupsClient.DeleteGroupAsync(new GroupRef { Id = group.Id }, auth);
        var listed = await GroupsClient.ListGroupsAsync(new ListGroupsRequest(), auth);

        Assert.Equal(2, both.Members.Count);
        Assert.Contains(both.Members, m => m.Kind == GroupMemberKind.Device && m.Id == deviceId);
        Assert.Equal(GroupMemberKind.User, Assert.Single(one.Members).Kind);
        Assert.Equal(("Sales", 0, 1), (fetched.DisplayName, fetched.DeviceMemberCount, fetched.UserMemberCount));
        Assert.Equal(StatusCode.NotFound, notMember.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, badUser.StatusCode);
        Assert.Contains("userPrincipalName", badUser.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, noName.StatusCode);
        Assert.Contains("displayName", noName.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(listed.Groups, g => g.Id == group.Id);
    }

    [Fact]
    public async Task UpdateComplianceSettings_OutsideOneTo120Days_IsInvalidArgumentAndValidIsReadBack()
    {
        var (tenantId, _) = await unit.Host.CreateTenantAsync();
        var auth = unit.Auth(tenantId);
        var settings = new TenantSettings.TenantSettingsClient(unit.Channel);

        var before = await settings.GetComplianceSettingsAsync(new GetComplianceSettingsRequest(), auth);
        var zero = await Assert.ThrowsAsync<RpcException>(() =>
            settings.UpdateComplianceSettingsAsync(new UpdateComplianceSettingsRequest { DeviceComplianceCheckinThresholdDays = 0 }, auth).ResponseAsync);
        var tooMany = await Assert.ThrowsAsync<RpcException>(() =>
            settings.UpdateComplianceSettingsAsync(new UpdateComplianceSettingsRequest { DeviceComplianceCheckinThresholdDays = 121 }, auth).ResponseAsync);
        var updated = await settings.UpdateComplianceSettingsAsync(new UpdateComplianceSettingsRequest { DeviceComplianceCheckinThresholdDays = 60, SecureByDefault = true }, auth);
        var onlyOne = await settings.UpdateComplianceSettingsAsync(new UpdateComplianceSettingsRequest { IsScheduledActionEnabled = false }, auth);
        var after = await settings.GetComplianceSettingsAsync(new GetComplianceSettingsRequest(), auth);

        Assert.Equal((30, false, true), (before.DeviceComplianceCheckinThresholdDays, before.SecureByDefault, before.IsScheduledActionEnabled));
        Assert.All(new[] { zero, tooMany }, e =>
        {
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.Contains("deviceComplianceCheckinThresholdDays", e.Status.Detail, StringComparison.Ordinal);
        });
        Assert.Equal((60, true), (updated.DeviceComplianceCheckinThresholdDays, updated.SecureByDefault));
        Assert.Equal((60, true, false), (onlyOne.DeviceComplianceCheckinThresholdDays, onlyOne.SecureByDefault, onlyOne.IsScheduledActionEnabled));
        Assert.Equal(onlyOne, after);
    }

    [Fact]
    public async Task Calls_WithoutPermissionOrToken_OrForAnotherTenant_AreRefused()
    {
        var fleet = await ArrangeAsync();
        using var _ = fleet;
        var created = await Policies.CreatePolicyAsync(new CreatePolicyRequest { Kind = PolicyKind.Compliance, GraphBody = Graph(WindowsPolicy("Mine")) }, fleet.Auth);
        var other = unit.Auth(Guid.NewGuid().ToString());
        var readOnly = unit.Auth(fleet.TenantId, "Read Only Operator");
        var verdicts = new AccessVerdicts.AccessVerdictsClient(unit.Channel);

        var denied = await Assert.ThrowsAsync<RpcException>(() =>
            Policies.CreatePolicyAsync(new CreatePolicyRequest { Kind = PolicyKind.Compliance, GraphBody = Graph(WindowsPolicy("Not allowed")) }, readOnly).ResponseAsync);
        var deniedGroup = await Assert.ThrowsAsync<RpcException>(() =>
            GroupsClient.DeleteGroupAsync(new GroupRef { Id = fleet.GroupId }, readOnly).ResponseAsync);
        var readable = await Policies.GetPolicyAsync(new GetPolicyRequest { Kind = PolicyKind.Compliance, Id = created.Id }, readOnly);
        var anonymous = await Assert.ThrowsAsync<RpcException>(() =>
            Policies.ListPoliciesAsync(new ListPoliciesRequest { Kind = PolicyKind.Compliance }).ResponseAsync);
        var foreignPolicy = await Assert.ThrowsAsync<RpcException>(() =>
            Policies.GetPolicyAsync(new GetPolicyRequest { Kind = PolicyKind.Compliance, Id = created.Id }, other).ResponseAsync);
        var foreignAssign = await Assert.ThrowsAsync<RpcException>(() =>
            AssignToGroupAsync(other, PolicyKind.Compliance, created.Id, fleet.GroupId));
        var foreignGroup = await Assert.ThrowsAsync<RpcException>(() =>
            GroupsClient.ListGroupMembersAsync(new GroupRef { Id = fleet.GroupId }, other).ResponseAsync);
        var foreignDevice = await Assert.ThrowsAsync<RpcException>(() =>
            verdicts.GetConditionalAccessVerdictAsync(new GetConditionalAccessVerdictRequest { DeviceId = fleet.Good.DeviceId }, other).ResponseAsync);
        var wrongKind = await Assert.ThrowsAsync<RpcException>(() =>
            Policies.GetPolicyAsync(new GetPolicyRequest { Kind = PolicyKind.Configuration, Id = created.Id }, fleet.Auth).ResponseAsync);

        Assert.Equal((StatusCode.PermissionDenied, StatusCode.PermissionDenied), (denied.StatusCode, deniedGroup.StatusCode));
        Assert.Contains("DeviceCompliancePolices_Create", denied.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(created.Id, readable.Id);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        Assert.All(new[] { foreignPolicy, foreignAssign, foreignGroup, foreignDevice, wrongKind }, e => Assert.Equal(StatusCode.NotFound, e.StatusCode));
    }

    [Fact]
    public async Task AccessVerdicts_ByIdSerialAndMac_AnswerManagedAndCompliant()
    {
        var fleet = await ArrangeAsync();
        using var _ = fleet;
        var verdicts = new AccessVerdicts.AccessVerdictsClient(unit.Channel);
        var created = await Policies.CreatePolicyAsync(new CreatePolicyRequest { Kind = PolicyKind.Compliance, GraphBody = Graph(WindowsPolicy("Gate")) }, fleet.Auth);
        await AssignToGroupAsync(fleet.Auth, PolicyKind.Compliance, created.Id, fleet.GroupId);
        await fleet.Good.CheckInAsync();
        await fleet.Bad.CheckInAsync();

        var bad = await verdicts.GetConditionalAccessVerdictAsync(new GetConditionalAccessVerdictRequest { DeviceId = fleet.Bad.DeviceId }, fleet.Auth);
        var good = await verdicts.GetConditionalAccessVerdictAsync(new GetConditionalAccessVerdictRequest { DeviceId = fleet.Good.DeviceId }, fleet.Auth);
        var bySerial = await verdicts.LookupNetworkAccessDeviceAsync(new LookupNetworkAccessDeviceRequest { SerialNumber = fleet.Good.Profile.SerialNumber.ToLowerInvariant() }, fleet.Auth);
        var unknownSerial = await Assert.ThrowsAsync<RpcException>(() =>
            verdicts.LookupNetworkAccessDeviceAsync(new LookupNetworkAccessDeviceRequest { SerialNumber = "NO-SUCH-SERIAL" }, fleet.Auth).ResponseAsync);
        var nothing = await Assert.ThrowsAsync<RpcException>(() =>
            verdicts.LookupNetworkAccessDeviceAsync(new LookupNetworkAccessDeviceRequest { MacAddress = "12:34" }, fleet.Auth).ResponseAsync);
        var notADevice = await Assert.ThrowsAsync<RpcException>(() =>
            verdicts.GetConditionalAccessVerdictAsync(new GetConditionalAccessVerdictRequest { DeviceId = Guid.NewGuid().ToString() }, fleet.Auth).ResponseAsync);

        Assert.Equal((true, false, "noncompliant"), (bad.IsManaged, bad.IsCompliant, bad.ComplianceState));
        Assert.Equal((true, true, "compliant"), (good.IsManaged, good.IsCompliant, good.ComplianceState));
        Assert.Equal((fleet.Good.DeviceId, true), (bySerial.DeviceId, bySerial.IsCompliant));
        Assert.Equal(StatusCode.NotFound, unknownSerial.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, nothing.StatusCode);
        Assert.Contains("macAddress", nothing.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, notADevice.StatusCode);
    }

    private sealed record Fleet(string TenantId, Metadata Auth, SimulatedDevice Good, SimulatedDevice Bad, string GroupId) : IDisposable
    {
        public void Dispose()
        {
            Good.Dispose();
            Bad.Dispose();
        }
    }

    /// <summary>One scale unit for the class (each test makes its own tenant) and an h2c channel to the admin gRPC port.</summary>
    public sealed class Unit : IAsyncLifetime
    {
        public ScaleUnitTestHost Host { get; } = new();

        public GrpcChannel Channel { get; private set; } = null!;

        public Metadata Auth(string tenantId, string role = "Intune Administrator") =>
            new() { { "Authorization", $"Bearer {Host.AdminToken(tenantId, role)}" } };

        public async Task InitializeAsync()
        {
            await Host.StartAsync();
            Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{Host.AdminGrpcPort}");
        }

        public async Task DisposeAsync()
        {
            Channel.Dispose();
            await Host.StopAsync();
        }
    }
}
