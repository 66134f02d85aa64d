using System.Net;
using Intune.AdminGateway.Auth;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;

namespace Intune.AdminGateway.Tests.Roles;

/// <summary><c>PATCH /deviceManagement/roleAssignments/{id}</c> driven by the real Microsoft Graph SDK.</summary>
public sealed class RoleAssignmentPatchSdkTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private ScaleUnitTestHost Host => fixture.Host;

    [Fact]
    public async Task PatchRoleAssignment_MembersAndRole_MovesTheGrantAndIsAudited()
    {
        var tenantId = Guid.NewGuid().ToString();
        var graph = Graph(Host.AdminToken(tenantId));
        using var first = Host.AdminClient(Token(tenantId, "first@contoso.example"));
        using var second = Host.AdminClient(Token(tenantId, "second@contoso.example"));
        var readers = await CreateRoleAsync(graph, "Device readers", AdminPermissions.ManagedDevicesRead);
        var auditors = await CreateRoleAsync(graph, "Auditors", AdminPermissions.AuditRead);
        var assignment = await graph.DeviceManagement.RoleAssignments.PostAsync(new DeviceAndAppManagementRoleAssignment
        {
            DisplayName = "Helpers",
            Members = ["first@contoso.example"],
            ResourceScopes = ["/"],
            AdditionalData = new Dictionary<string, object> { ["roleDefinition@odata.bind"] = $"https://graph.microsoft.com/v1.0/deviceManagement/roleDefinitions/{readers}" },
        });
        var firstBefore = await first.GetAsync("deviceManagement/managedDevices");

        await graph.DeviceManagement.RoleAssignments[assignment!.Id].PatchAsync(new DeviceAndAppManagementRoleAssignment
        {
            Description = "Moved to the second helper",
            Members = ["second@contoso.example"],
            AdditionalData = new Dictionary<string, object> { ["roleDefinition@odata.bind"] = $"https://graph.microsoft.com/v1.0/deviceManagement/roleDefinitions/{auditors}" },
        });
        var read = await graph.DeviceManagement.RoleAssignments[assignment.Id].GetAsync();
        var firstAfter = await first.GetAsync("deviceManagement/managedDevices");
        var secondDevices = await second.GetAsync("deviceManagement/managedDevices");
        var secondAudit = await second.GetAsync("deviceManagement/auditEvents");
        var events = await graph.DeviceManagement.AuditEvents.GetAsync(r => r.QueryParameters.Filter = "activityType eq 'Patch RoleAssignment'");

        Assert.Equal(HttpStatusCode.OK, firstBefore.StatusCode);
        Assert.Equal("Helpers", read!.DisplayName);
        Assert.Equal("Moved to the second helper", read.Description);
        Assert.Equal(["second@contoso.example"], read.Members);
        Assert.Equal(HttpStatusCode.Forbidden, firstAfter.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, secondDevices.StatusCode);
        Assert.Equal(HttpStatusCode.OK, secondAudit.StatusCode);
        var patch = Assert.Single(events!.Value!);
        Assert.Equal("Success", patch.ActivityResult);
        var resource = Assert.Single(patch.Resources!);
        Assert.Equal(assignment.Id, resource.ResourceId);
        var members = Assert.Single(resource.ModifiedProperties!, p => p.DisplayName == "members");
        Assert.Contains("first@contoso.example", members.OldValue);
        Assert.Contains("second@contoso.example", members.NewValue);
        Assert.Contains(resource.ModifiedProperties!, p => p.DisplayName == "roleDefinition@odata.bind" && p.NewValue!.Contains(auditors, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PatchRoleAssignment_OfAnotherTenant_SurfacesAsODataErrorNotFound()
    {
        var owner = Graph(Host.AdminToken(Guid.NewGuid().ToString()));
        var assignment = await CreateAssignmentAsync(owner);

        var error = await Assert.ThrowsAsync<ODataError>(() => Graph(Host.AdminToken(Guid.NewGuid().ToString())).DeviceManagement.RoleAssignments[assignment].PatchAsync(
            new DeviceAndAppManagementRoleAssignment { DisplayName = "Taken over" }));

        Assert.Equal(404, error.ResponseStatusCode);
        Assert.Equal("ResourceNotFound", error.Error!.Code);
    }

    [Fact]
    public async Task PatchRoleAssignment_ByReadOnlyOperator_SurfacesAsODataErrorForbidden()
    {
        var tenantId = Guid.NewGuid().ToString();
        var assignment = await CreateAssignmentAsync(Graph(Host.AdminToken(tenantId)));

        var error = await Assert.ThrowsAsync<ODataError>(() => Graph(Host.AdminToken(tenantId, "Read Only Operator")).DeviceManagement.RoleAssignments[assignment].PatchAsync(
            new DeviceAndAppManagementRoleAssignment { DisplayName = "Mine now" }));

        Assert.Equal(403, error.ResponseStatusCode);
        Assert.Contains(AdminPermissions.RolesWrite, error.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PatchRoleAssignment_UnknownRoleOrNoMembers_SurfacesAsODataErrorBadRequest()
    {
        var tenantId = Guid.NewGuid().ToString();
        var graph = Graph(Host.AdminToken(tenantId));
        var assignment = await CreateAssignmentAsync(graph);

        var unknownRole = await Assert.ThrowsAsync<ODataError>(() => graph.DeviceManagement.RoleAssignments[assignment].PatchAsync(new DeviceAndAppManagementRoleAssignment
        {
            AdditionalData = new Dictionary<string, object> { ["roleDefinition@odata.bind"] = $"https://graph.microsoft.com/v1.0/deviceManagement/roleDefinitions/{Guid.NewGuid()}" },
        }));
        var noMembers = await Assert.ThrowsAsync<ODataError>(() => graph.DeviceManagement.RoleAssignments[assignment].PatchAsync(new DeviceAndAppManagementRoleAssignment { Members = [] }));
        var events = await graph.DeviceManagement.AuditEvents.GetAsync(r => r.QueryParameters.Filter = "activityType eq 'Patch RoleAssignment'");

        Assert.Equal(400, unknownRole.ResponseStatusCode);
        Assert.Contains("does not exist", unknownRole.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(400, noMembers.ResponseStatusCode);
        Assert.Contains("members", noMembers.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(2, events!.Value!.Count(e => e.ActivityResult == "Failure"));
    }

    private GraphServiceClient Graph(string token) => new(new BearerTokenProvider(token), $"http://127.0.0.1:{Host.AdminPort}/v1.0");

    private string Token(string tenantId, string upn) =>
        Host.Services.GetRequiredService<AdminTokenIssuer>().Issue(tenantId, ["No Built-in Role"], upn, TimeSpan.FromHours(1));

    private static async Task<string> CreateRoleAsync(GraphServiceClient graph, string name, string permission)
    {
        var created = await graph.DeviceManagement.RoleDefinitions.PostAsync(new DeviceAndAppManagementRoleDefinition
        {
            DisplayName = name,
            RolePermissions = [new RolePermission { ResourceActions = [new ResourceAction { AllowedResourceActions = [permission] }] }],
        });
        return created!.Id!;
    }

    private static async Task<string> CreateAssignmentAsync(GraphServiceClient graph)
    {
        var role = await CreateRoleAsync(graph, "Readers", AdminPermissions.ManagedDevicesRead);
        var created = await graph.DeviceManagement.RoleAssignments.PostAsync(new DeviceAndAppManagementRoleAssignment
        {
            DisplayName = "Readers",
            Members = ["reader@contoso.example"],
            AdditionalData = new Dictionary<string, object> { ["roleDefinition@odata.bind"] = $"https://graph.microsoft.com/v1.0/deviceManagement/roleDefinitions/{role}" },
        });
        return created!.Id!;
    }

    /// <summary>Sends the dev token as Graph would receive an Entra ID token.</summary>
    private sealed class BearerTokenProvider(string token) : IAuthenticationProvider
    {
        public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
        {
            request.Headers.Add("Authorization", $"Bearer {token}");
            return Task.CompletedTask;
        }
    }
}
