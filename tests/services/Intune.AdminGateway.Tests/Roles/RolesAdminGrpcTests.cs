using Grpc.Core;
using Grpc.Net.Client;
using Intune.Admin.V1;
using Intune.AdminGateway.Auth;

namespace Intune.AdminGateway.Tests.Roles;

/// <summary>Custom roles and role assignments through the gRPC admin API: same rules, same audit trail as Graph REST.</summary>
public sealed class RolesAdminGrpcTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>, IAsyncLifetime
{
    private GrpcChannel _channel = null!;

    private ScaleUnitTestHost Host => fixture.Host;

    public Task InitializeAsync()
    {
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{Host.AdminGrpcPort}");
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _channel.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task RoleDefinitionAndAssignment_FullLifecycle_GrantsTheMemberAndIsAudited()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        var seeded = await Host.SeedAsync(tenantId, 3, seed: 5);
        var roles = new Admin.V1.Roles.RolesClient(_channel);
        var devices = new Admin.V1.ManagedDevices.ManagedDevicesClient(_channel);
        var admin = Auth(Host.AdminToken(tenantId));
        var helper = Auth(Host.Services.GetRequiredService<AdminTokenIssuer>().Issue(tenantId, ["No Built-in Role"], "helper@contoso.example", TimeSpan.FromHours(1)));

        var before = await Assert.ThrowsAsync<RpcException>(() => devices.ListManagedDevicesAsync(new ListManagedDevicesRequest(), helper).ResponseAsync);
        var create = new CreateRoleDefinitionRequest { DisplayName = "Device readers", Description = "Made by a test" };
        create.AllowedResourceActions.Add(AdminPermissions.AuditRead);
        var definition = await roles.CreateRoleDefinitionAsync(create, admin);
        var update = new UpdateRoleDefinitionRequest { Id = definition.Id, DisplayName = "Device and audit readers", ResourceActions = new RoleResourceActions() };
        update.ResourceActions.AllowedResourceActions.Add(AdminPermissions.ManagedDevicesRead);
        update.ResourceActions.AllowedResourceActions.Add(AdminPermissions.AuditRead);
        var updated = await roles.UpdateRoleDefinitionAsync(update, admin);
        var assign = new CreateRoleAssignmentRequest { DisplayName = "Helpers", RoleDefinitionId = definition.Id };
        assign.Members.Add("someone-else@contoso.example");
        var assignment = await roles.CreateRoleAssignmentAsync(assign, admin);
        var notYet = await Assert.ThrowsAsync<RpcException>(() => devices.ListManagedDevicesAsync(new ListManagedDevicesRequest(), helper).ResponseAsync);
        var move = new UpdateRoleAssignmentRequest { Id = assignment.Id, Members = new RoleStringList() };
        move.Members.Values.Add("HELPER@contoso.example");
        var moved = await roles.UpdateRoleAssignmentAsync(move, admin);
        var after = await devices.ListManagedDevicesAsync(new ListManagedDevicesRequest(), helper);
        var read = await roles.GetRoleAssignmentAsync(new GetRoleAssignmentRequest { Id = assignment.Id }, admin);
        var listed = await roles.ListRoleAssignmentsAsync(new ListRoleAssignmentsRequest(), admin);
        var inUse = await Assert.ThrowsAsync<RpcException>(() => roles.DeleteRoleDefinitionAsync(new DeleteRoleDefinitionRequest { Id = definition.Id }, admin).ResponseAsync);
        await roles.DeleteRoleAssignmentAsync(new DeleteRoleAssignmentRequest { Id = assignment.Id }, admin);
        await roles.DeleteRoleDefinitionAsync(new DeleteRoleDefinitionRequest { Id = definition.Id }, admin);
        var gone = await Assert.ThrowsAsync<RpcException>(() => roles.GetRoleDefinitionAsync(new GetRoleDefinitionRequest { Id = definition.Id }, admin).ResponseAsync);
        var types = await new AuditEvents.AuditEventsClient(_channel).GetAuditActivityTypesAsync(new GetAuditActivityTypesRequest { Category = "Role" }, admin);
        var events = await new AuditEvents.AuditEventsClient(_channel).ListAuditEventsAsync(new ListAuditEventsRequest { Filter = "category eq 'Role'" }, admin);

        Assert.Equal(StatusCode.PermissionDenied, before.StatusCode);
        Assert.False(definition.IsBuiltIn);
        Assert.Equal("Device and audit readers", updated.DisplayName);
        Assert.Equal([AdminPermissions.ManagedDevicesRead, AdminPermissions.AuditRead], updated.AllowedResourceActions);
        Assert.Equal("Made by a test", updated.Description);
        Assert.Equal(["/"], assignment.ResourceScopes);
        Assert.Equal(StatusCode.PermissionDenied, notYet.StatusCode);
        Assert.Equal(["HELPER@contoso.example"], moved.Members);
        Assert.Equal("Helpers", moved.DisplayName);
        Assert.Equal(seeded.Select(d => d.Id).Order(StringComparer.Ordinal), after.Devices.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.Equal(moved, read);
        Assert.Contains(listed.RoleAssignments, a => a.Id == assignment.Id);
        Assert.Equal(StatusCode.FailedPrecondition, inUse.StatusCode);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Equal(
            ["Create RoleAssignment", "Create RoleDefinition", "Delete RoleAssignment", "Delete RoleDefinition", "Patch RoleAssignment", "Patch RoleDefinition"],
            types.ActivityTypes);
        Assert.Equal(7, events.Events.Count);
        Assert.Single(events.Events, e => e.ActivityResult == "Failure" && e.ActivityType == "Delete RoleDefinition");
        Assert.All(events.Events, e => Assert.Equal("admin@contoso.example", e.ActorUserPrincipalName));
    }

    [Fact]
    public async Task DeleteRoleDefinition_BuiltIn_IsFailedPrecondition()
    {
        var admin = Auth(Host.AdminToken(Guid.NewGuid().ToString()));
        var builtIn = (await new Admin.V1.Roles.RolesClient(_channel).ListRoleDefinitionsAsync(new ListRoleDefinitionsRequest(), admin)).RoleDefinitions.First(r => r.IsBuiltIn);
        var roles = new Admin.V1.Roles.RolesClient(_channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => roles.DeleteRoleDefinitionAsync(new DeleteRoleDefinitionRequest { Id = builtIn.Id }, admin).ResponseAsync);
        var read = await roles.GetRoleDefinitionAsync(new GetRoleDefinitionRequest { Id = builtIn.Id }, admin);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("built-in", error.Status.Detail, StringComparison.Ordinal);
        Assert.True(read.IsBuiltIn);
    }

    [Theory]
    [InlineData("", AdminPermissions.AuditRead, "displayName")]
    [InlineData("Too much", "Microsoft.Intune_Everything_Forever", "Microsoft.Intune_Everything_Forever")]
    public async Task CreateRoleDefinition_BadInput_IsInvalidArgumentNamingTheProblem(string displayName, string permission, string expected)
    {
        var roles = new Admin.V1.Roles.RolesClient(_channel);
        var request = new CreateRoleDefinitionRequest { DisplayName = displayName };
        request.AllowedResourceActions.Add(permission);

        var error = await Assert.ThrowsAsync<RpcException>(() => roles.CreateRoleDefinitionAsync(request, Auth(Host.AdminToken(Guid.NewGuid().ToString()))).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(expected, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateRoleAssignment_UnknownRoleOrNoMembers_IsInvalidArgument()
    {
        var roles = new Admin.V1.Roles.RolesClient(_channel);
        var admin = Auth(Host.AdminToken(Guid.NewGuid().ToString()));
        var unknownRole = new CreateRoleAssignmentRequest { DisplayName = "x", RoleDefinitionId = Guid.NewGuid().ToString() };
        unknownRole.Members.Add("someone@contoso.example");
        var builtIn = (await new Admin.V1.Roles.RolesClient(_channel).ListRoleDefinitionsAsync(new ListRoleDefinitionsRequest(), admin)).RoleDefinitions.First(r => r.IsBuiltIn);

        var unknown = await Assert.ThrowsAsync<RpcException>(() => roles.CreateRoleAssignmentAsync(unknownRole, admin).ResponseAsync);
        var empty = await Assert.ThrowsAsync<RpcException>(() =>
            roles.CreateRoleAssignmentAsync(new CreateRoleAssignmentRequest { DisplayName = "x", RoleDefinitionId = builtIn.Id }, admin).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
        Assert.Contains("does not exist", unknown.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Contains("members", empty.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RoleAssignment_OfAnotherTenant_IsNotFoundAndReadOnlyCannotChangeIt()
    {
        var tenantId = Guid.NewGuid().ToString();
        var roles = new Admin.V1.Roles.RolesClient(_channel);
        var admin = Auth(Host.AdminToken(tenantId));
        var builtIn = (await new Admin.V1.Roles.RolesClient(_channel).ListRoleDefinitionsAsync(new ListRoleDefinitionsRequest(), admin)).RoleDefinitions.First(r => r.IsBuiltIn);
        var create = new CreateRoleAssignmentRequest { DisplayName = "Readers", RoleDefinitionId = builtIn.Id };
        create.Members.Add("reader@contoso.example");
        var assignment = await roles.CreateRoleAssignmentAsync(create, admin);

        var foreign = await Assert.ThrowsAsync<RpcException>(() =>
            roles.UpdateRoleAssignmentAsync(new UpdateRoleAssignmentRequest { Id = assignment.Id, DisplayName = "Mine" }, Auth(Host.AdminToken(Guid.NewGuid().ToString()))).ResponseAsync);
        var denied = await Assert.ThrowsAsync<RpcException>(() =>
            roles.DeleteRoleAssignmentAsync(new DeleteRoleAssignmentRequest { Id = assignment.Id }, Auth(Host.AdminToken(tenantId, "Read Only Operator"))).ResponseAsync);
        var unauthenticated = await Assert.ThrowsAsync<RpcException>(() =>
            roles.GetRoleAssignmentAsync(new GetRoleAssignmentRequest { Id = assignment.Id }).ResponseAsync);
        var still = await roles.GetRoleAssignmentAsync(new GetRoleAssignmentRequest { Id = assignment.Id }, Auth(Host.AdminToken(tenantId, "Read Only Operator")));

        Assert.Equal(StatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, unauthenticated.StatusCode);
        Assert.Equal("Readers", still.DisplayName);
    }

    private static Metadata Auth(string token) => new() { { "Authorization", $"Bearer {token}" } };
}
