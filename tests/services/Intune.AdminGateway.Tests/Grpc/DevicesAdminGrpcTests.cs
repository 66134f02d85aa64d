using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Intune.Admin.V1;
using Intune.Device.V1;

namespace Intune.AdminGateway.Tests.Grpc;

/// <summary>
/// the admin protos over real Kestrel (h2c): device actions that reach a simulated device,
/// device edits, enrollment token revocation, enrollment configurations as Graph-shaped Structs,
/// and audit categories; each with the same permissions, tenant rule and audit trail as REST.
/// </summary>
public sealed class DevicesAdminGrpcTests(DevicesAdminGrpcTests.Tenant tenant) : IClassFixture<DevicesAdminGrpcTests.Tenant>
{
    [Fact]
    public async Task Wipe_ThroughGrpc_ReachesTheDeviceAtCheckInWithItsOptionsAndIsAudited()
    {
        using var device = tenant.Host.NewDevice(Platform.Android, index: 1);
        var deviceId = (await device.EnrollAsync(tenant.EnrollmentToken)).DeviceId;
        var delivered = new TaskCompletionSource<Command>(TaskCreationOptions.RunContinuationsAsynchronously);
        device.CommandExecuted = (_, command) => delivered.TrySetResult(command);
        var actions = new ManagedDeviceActions.ManagedDeviceActionsClient(tenant.Channel);
        var correlation = Guid.NewGuid().ToString();

        await actions.WipeAsync(new WipeManagedDeviceRequest { Id = deviceId, KeepEnrollmentData = true, KeepUserData = true }, tenant.Auth(correlation: correlation));
        await device.CheckInAsync();
        var command = await delivered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await device.CheckInAsync();
        var results = await new Admin.V1.ManagedDevices.ManagedDevicesClient(tenant.Channel)
            .ListDeviceActionResultsAsync(new ListDeviceActionResultsRequest { Id = deviceId }, tenant.Auth());
        var events = await new AuditEvents.AuditEventsClient(tenant.Channel)
            .ListAuditEventsAsync(new ListAuditEventsRequest { Filter = "category eq 'Device'" }, tenant.Auth());

        Assert.Equal(CommandType.Wipe, command.Type);
        Assert.True(command.KeepEnrollmentData);
        Assert.True(command.KeepUserData);
        var result = Assert.Single(results.Results, r => r.ActionName == "wipe");
        Assert.Equal("done", result.ActionState);
        var audited = Assert.Single(events.Events, e => e.ResourceIds.Contains(deviceId));
        Assert.Equal("wipe ManagedDevice", audited.ActivityType);
        Assert.Equal("Action", audited.ActivityOperationType);
        Assert.Equal("Success", audited.ActivityResult);
        Assert.Equal(correlation, audited.CorrelationId);
        Assert.Equal("admin@contoso.example", audited.ActorUserPrincipalName);
    }

    [Fact]
    public async Task RemoteLock_ByHelpDeskOperator_ReachesTheDevice()
    {
        using var device = tenant.Host.NewDevice(Platform.Ios, index: 2);
        var deviceId = (await device.EnrollAsync(tenant.EnrollmentToken)).DeviceId;
        var actions = new ManagedDeviceActions.ManagedDeviceActionsClient(tenant.Channel);

        await actions.RemoteLockAsync(new ManagedDeviceActionRequest { Id = deviceId }, tenant.Auth(role: "Help Desk Operator"));
        await device.CheckInAsync();

        Assert.Contains(CommandType.RemoteLock, device.ExecutedCommands);
    }

    [Fact]
    public async Task RemoteLock_ByReadOnlyOperator_IsPermissionDeniedNamingThePermission()
    {
        var actions = new ManagedDeviceActions.ManagedDeviceActionsClient(tenant.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            actions.RemoteLockAsync(new ManagedDeviceActionRequest { Id = tenant.DeviceId }, tenant.Auth(role: "Read Only Operator")).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("RemoteTasks_RemoteLock", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SyncDevice_OnAnotherTenantsDevice_IsNotFound()
    {
        var actions = new ManagedDeviceActions.ManagedDeviceActionsClient(tenant.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            actions.SyncDeviceAsync(new ManagedDeviceActionRequest { Id = tenant.DeviceId }, tenant.Auth(Guid.NewGuid().ToString())).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task RebootNow_WithoutId_IsInvalidArgument()
    {
        var actions = new ManagedDeviceActions.ManagedDeviceActionsClient(tenant.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => actions.RebootNowAsync(new ManagedDeviceActionRequest(), tenant.Auth()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("id", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateManagedDevice_NotesAndOwnerType_AreChangedAndAuditedWithOldAndNewValues()
    {
        using var device = tenant.Host.NewDevice(Platform.Windows, index: 5);
        var deviceId = (await device.EnrollAsync(tenant.EnrollmentToken)).DeviceId;
        var devices = new Admin.V1.ManagedDevices.ManagedDevicesClient(tenant.Channel);
        var before = await devices.GetManagedDeviceAsync(new GetManagedDeviceRequest { Id = deviceId }, tenant.Auth());

        var updated = await devices.UpdateManagedDeviceAsync(new UpdateManagedDeviceRequest { Id = deviceId, Notes = "Loaner", ManagedDeviceOwnerType = "personal" }, tenant.Auth());
        var read = await devices.GetManagedDeviceAsync(new GetManagedDeviceRequest { Id = deviceId }, tenant.Auth());
        var events = await new AuditEvents.AuditEventsClient(tenant.Channel)
            .ListAuditEventsAsync(new ListAuditEventsRequest { Filter = "activityType eq 'Patch ManagedDevice'" }, tenant.Auth());

        Assert.Equal("company", before.ManagedDeviceOwnerType);
        Assert.Equal("personal", updated.ManagedDeviceOwnerType);
        Assert.Equal("personal", read.ManagedDeviceOwnerType);
        Assert.Equal("Loaner", read.Notes);
        var audited = Assert.Single(events.Events, e => e.ResourceIds.Contains(deviceId));
        Assert.Equal("Success", audited.ActivityResult);
        var changes = Assert.Single(audited.Resources, r => r.ResourceId == deviceId).ModifiedProperties.ToDictionary(p => p.DisplayName);
        Assert.Equal(["managedDeviceOwnerType", "notes"], changes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("company", changes["managedDeviceOwnerType"].OldValue);
        Assert.Equal("personal", changes["managedDeviceOwnerType"].NewValue);
        Assert.False(changes["notes"].HasOldValue, "the device had no notes before");
        Assert.Equal("Loaner", changes["notes"].NewValue);
    }

    [Theory]
    [InlineData("corporate", "managedDeviceOwnerType")]
    [InlineData(null, "Nothing to change")]
    public async Task UpdateManagedDevice_BadInput_IsInvalidArgument(string? ownerType, string expected)
    {
        var devices = new Admin.V1.ManagedDevices.ManagedDevicesClient(tenant.Channel);
        var request = new UpdateManagedDeviceRequest { Id = tenant.DeviceId };
        if (ownerType is not null)
        {
            request.ManagedDeviceOwnerType = ownerType;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => devices.UpdateManagedDeviceAsync(request, tenant.Auth()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(expected, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteManagedDevice_RemovesItOnlyForItsOwnTenant()
    {
        using var device = tenant.Host.NewDevice(Platform.Windows, index: 3);
        var deviceId = (await device.EnrollAsync(tenant.EnrollmentToken)).DeviceId;
        var devices = new Admin.V1.ManagedDevices.ManagedDevicesClient(tenant.Channel);
        var reader = new Admin.V1.ManagedDevices.ManagedDevicesClient(tenant.Channel);

        var foreign = await Assert.ThrowsAsync<RpcException>(() =>
            devices.DeleteManagedDeviceAsync(new DeleteManagedDeviceRequest { Id = deviceId }, tenant.Auth(Guid.NewGuid().ToString())).ResponseAsync);
        var denied = await Assert.ThrowsAsync<RpcException>(() =>
            devices.DeleteManagedDeviceAsync(new DeleteManagedDeviceRequest { Id = deviceId }, tenant.Auth(role: "Help Desk Operator")).ResponseAsync);
        await devices.DeleteManagedDeviceAsync(new DeleteManagedDeviceRequest { Id = deviceId }, tenant.Auth());
        var gone = await Assert.ThrowsAsync<RpcException>(() =>
            reader.GetManagedDeviceAsync(new GetManagedDeviceRequest { Id = deviceId }, tenant.Auth()).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task ListDeviceCompliancePolicyStates_OwnDeviceAnswersAndAnotherTenantsIsNotFound()
    {
        using var device = tenant.Host.NewDevice(Platform.Windows, index: 6);
        var deviceId = (await device.EnrollAsync(tenant.EnrollmentToken)).DeviceId;
        var policyId = await tenant.AssignCompliancePolicyAsync("Windows passcode", deviceId);
        await device.CheckInAsync();
        var devices = new Admin.V1.ManagedDevices.ManagedDevicesClient(tenant.Channel);

        var own = await devices.ListDeviceCompliancePolicyStatesAsync(new ListDeviceCompliancePolicyStatesRequest { Id = deviceId }, tenant.Auth(role: "Read Only Operator"));
        var foreign = await Assert.ThrowsAsync<RpcException>(() =>
            devices.ListDeviceCompliancePolicyStatesAsync(new ListDeviceCompliancePolicyStatesRequest { Id = deviceId }, tenant.Auth(Guid.NewGuid().ToString())).ResponseAsync);

        var state = Assert.Single(own.States, s => s.Id == policyId);
        Assert.Equal("Windows passcode", state.DisplayName);
        Assert.Equal(1, state.Version);
        Assert.Contains(state.SettingStates, setting => setting.Setting.Contains("passwordRequired", StringComparison.Ordinal));
        Assert.Equal(StatusCode.NotFound, foreign.StatusCode);
    }

    [Fact]
    public async Task RevokeEnrollmentToken_RevokedTokenEnrollsNoMoreAndIsAudited()
    {
        var tokens = new EnrollmentTokens.EnrollmentTokensClient(tenant.Channel);
        var admin = new EnrollmentTokens.EnrollmentTokensClient(tenant.Channel);
        var created = await tokens.CreateEnrollmentTokenAsync(new CreateEnrollmentTokenRequest { LifetimeHours = 1 }, tenant.Auth());

        await admin.RevokeEnrollmentTokenAsync(new RevokeEnrollmentTokenRequest { TokenId = created.TokenId }, tenant.Auth());
        var listed = await tokens.ListEnrollmentTokensAsync(new ListEnrollmentTokensRequest(), tenant.Auth());
        using var device = tenant.Host.NewDevice(Platform.Windows, index: 4);
        var refused = await Assert.ThrowsAsync<RpcException>(() => device.EnrollAsync(created.Token));
        var unknown = await Assert.ThrowsAsync<RpcException>(() =>
            admin.RevokeEnrollmentTokenAsync(new RevokeEnrollmentTokenRequest { TokenId = "no-such-token" }, tenant.Auth()).ResponseAsync);
        var events = await new AuditEvents.AuditEventsClient(tenant.Channel)
            .ListAuditEventsAsync(new ListAuditEventsRequest { Filter = "activityType eq 'Revoke EnrollmentToken'" }, tenant.Auth());

        Assert.True(Assert.Single(listed.Tokens, t => t.TokenId == created.TokenId).Revoked);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains("revoked", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Contains(events.Events, e => e.ResourceIds.Contains(created.TokenId) && e.ActivityResult == "Success");
        Assert.Contains(events.Events, e => e.ActivityResult == "Failure");
    }

    [Fact]
    public async Task EnrollmentConfigurations_GraphShapedStructs_CreateUpdateAssignPrioritizeDelete()
    {
        var configurations = new Admin.V1.EnrollmentConfigurations.EnrollmentConfigurationsClient(tenant.Channel);
        var auth = tenant.Auth();

        var created = await configurations.CreateEnrollmentConfigurationAsync(new CreateEnrollmentConfigurationRequest
        {
            Configuration = Struct.Parser.ParseJson("""{"@odata.type":"#microsoft.graph.deviceEnrollmentLimitConfiguration","displayName":"Three each","limit":3}"""),
        }, auth);
        var id = created.Graph.Fields["id"].StringValue;
        var updated = await configurations.UpdateEnrollmentConfigurationAsync(new UpdateEnrollmentConfigurationRequest
        {
            Id = id,
            Patch = Struct.Parser.ParseJson("""{"limit":5,"description":"Raised"}"""),
        }, auth);
        var assign = new AssignEnrollmentConfigurationRequest { Id = id };
        assign.Targets.Add(new EnrollmentAssignmentTarget { OdataType = "#microsoft.graph.allLicensedUsersAssignmentTarget" });
        await configurations.AssignEnrollmentConfigurationAsync(assign, auth);
        await configurations.SetEnrollmentConfigurationPriorityAsync(new SetEnrollmentConfigurationPriorityRequest { Id = id, Priority = 1 }, auth);
        var read = await configurations.GetEnrollmentConfigurationAsync(new GetEnrollmentConfigurationRequest { Id = id }, auth);
        var listed = await configurations.ListEnrollmentConfigurationsAsync(new ListEnrollmentConfigurationsRequest(), auth);
        await configurations.DeleteEnrollmentConfigurationAsync(new DeleteEnrollmentConfigurationRequest { Id = id }, auth);
        var gone = await Assert.ThrowsAsync<RpcException>(() => configurations.GetEnrollmentConfigurationAsync(new GetEnrollmentConfigurationRequest { Id = id }, auth).ResponseAsync);
        var events = await new AuditEvents.AuditEventsClient(tenant.Channel)
            .ListAuditEventsAsync(new ListAuditEventsRequest { Filter = "category eq 'Enrollment'" }, auth);

        Assert.Equal("#microsoft.graph.deviceEnrollmentLimitConfiguration", created.Graph.Fields["@odata.type"].StringValue);
        Assert.Equal(5, updated.Graph.Fields["limit"].NumberValue);
        Assert.Equal("Raised", read.Graph.Fields["description"].StringValue);
        Assert.Equal(1, read.Graph.Fields["priority"].NumberValue);
        Assert.Contains(listed.Configurations, c => c.Graph.Fields["id"].StringValue == id);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        var activities = events.Events.Where(e => e.ResourceIds.Contains(id)).Select(e => e.ActivityType).ToHashSet();
        Assert.Superset(
            new HashSet<string>
            {
                "Create DeviceEnrollmentConfiguration", "Patch DeviceEnrollmentConfiguration", "assign DeviceEnrollmentConfiguration",
                "setPriority DeviceEnrollmentConfiguration", "Delete DeviceEnrollmentConfiguration",
            },
            activities);
    }

    [Theory]
    [InlineData("""{"displayName":"No type","limit":3}""", "@odata.type")]
    [InlineData("""{"@odata.type":"#microsoft.graph.deviceEnrollmentLimitConfiguration","limit":99}""", "between 1 and 15")]
    [InlineData("""{"@odata.type":"#microsoft.graph.deviceEnrollmentLimitConfiguration","limit":2,"colour":"red"}""", "'colour'")]
    public async Task CreateEnrollmentConfiguration_BadGraphPayload_IsInvalidArgumentNamingTheProblem(string json, string expected)
    {
        var configurations = new Admin.V1.EnrollmentConfigurations.EnrollmentConfigurationsClient(tenant.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => configurations.CreateEnrollmentConfigurationAsync(
            new CreateEnrollmentConfigurationRequest { Configuration = Struct.Parser.ParseJson(json) }, tenant.Auth()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(expected, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnrollmentConfigurations_OtherTenantAndReadOnlyCaller_AreRefused()
    {
        var configurations = new Admin.V1.EnrollmentConfigurations.EnrollmentConfigurationsClient(tenant.Channel);
        var own = await configurations.ListEnrollmentConfigurationsAsync(new ListEnrollmentConfigurationsRequest(), tenant.Auth(role: "Read Only Operator"));
        var id = own.Configurations[0].Graph.Fields["id"].StringValue;

        var foreign = await Assert.ThrowsAsync<RpcException>(() =>
            configurations.GetEnrollmentConfigurationAsync(new GetEnrollmentConfigurationRequest { Id = id }, tenant.Auth(Guid.NewGuid().ToString())).ResponseAsync);
        var denied = await Assert.ThrowsAsync<RpcException>(() =>
            configurations.SetEnrollmentConfigurationPriorityAsync(new SetEnrollmentConfigurationPriorityRequest { Id = id, Priority = 1 }, tenant.Auth(role: "Read Only Operator")).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }

    [Fact]
    public async Task AuditCategories_ListsCategoriesAndTheTenantsActivityTypes()
    {
        var audit = new AuditEvents.AuditEventsClient(tenant.Channel);
        var tokens = new EnrollmentTokens.EnrollmentTokensClient(tenant.Channel);
        await tokens.CreateEnrollmentTokenAsync(new CreateEnrollmentTokenRequest { LifetimeHours = 1 }, tenant.Auth());

        var categories = await audit.GetAuditCategoriesAsync(new GetAuditCategoriesRequest(), tenant.Auth(role: "Read Only Operator"));
        var types = await audit.GetAuditActivityTypesAsync(new GetAuditActivityTypesRequest { Category = "Enrollment" }, tenant.Auth());
        var missing = await Assert.ThrowsAsync<RpcException>(() => audit.GetAuditActivityTypesAsync(new GetAuditActivityTypesRequest(), tenant.Auth()).ResponseAsync);

        Assert.Contains("Device", categories.Categories);
        Assert.Contains("Role", categories.Categories);
        Assert.Contains("Create EnrollmentToken", types.ActivityTypes);
        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);
    }

    /// <summary>A scale unit with one tenant, one really enrolled Windows device and an h2c channel to the admin gRPC port.</summary>
    public sealed class Tenant : IAsyncLifetime
    {
        public ScaleUnitTestHost Host { get; } = new();

        public string TenantId { get; private set; } = string.Empty;

        public string EnrollmentToken { get; private set; } = string.Empty;

        public string DeviceId { get; private set; } = string.Empty;

        public GrpcChannel Channel { get; private set; } = null!;

        public Metadata Auth(string? tenantId = null, string role = "Intune Administrator", string? correlation = null)
        {
            var metadata = new Metadata { { "Authorization", $"Bearer {Host.AdminToken(tenantId ?? TenantId, role)}" } };
            if (correlation is not null)
            {
                metadata.Add("client-request-id", correlation);
            }

            return metadata;
        }

        public async Task InitializeAsync()
        {
            await Host.StartAsync();
            (TenantId, EnrollmentToken) = await Host.CreateTenantAsync();
            using var device = Host.NewDevice(Platform.Windows);
            DeviceId = (await device.EnrollAsync(EnrollmentToken)).DeviceId;
            Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{Host.AdminGrpcPort}");
        }

        /// <summary>A Windows compliance policy (a password required) assigned over gRPC to a group holding only this device; returns the policy id.</summary>
        public async Task<string> AssignCompliancePolicyAsync(string name, string deviceId)
        {
            var policies = new DevicePolicies.DevicePoliciesClient(Channel);
            var groups = new Groups.GroupsClient(Channel);
            var body = Struct.Parser.ParseJson($$"""
                {"@odata.type":"#microsoft.graph.windows10CompliancePolicy","displayName":"{{name}}","passwordRequired":true,
                 "scheduledActionsForRule":[{"ruleName":"PasswordRequired","scheduledActionConfigurations":[{"actionType":"block","gracePeriodHours":0}]}]}
                """);
            var policy = await policies.CreatePolicyAsync(new CreatePolicyRequest { Kind = PolicyKind.Compliance, GraphBody = body }, Auth());
            var group = await groups.CreateGroupAsync(new CreateGroupRequest { DisplayName = name }, Auth());
            await groups.AddGroupMembersAsync(new AddGroupMembersRequest { GroupId = group.Id, Members = { new GroupMember { Kind = GroupMemberKind.Device, Id = deviceId } } }, Auth());
            var assign = new AssignPolicyRequest { Kind = PolicyKind.Compliance, Id = policy.Id };
            assign.Targets.Add(new PolicyAssignmentTarget { Kind = AssignmentTargetKind.Group, GroupId = group.Id });
            await policies.AssignPolicyAsync(assign, Auth());
            return policy.Id;
        }

        public async Task DisposeAsync()
        {
            Channel.Dispose();
            await Host.StopAsync();
        }
    }
}
