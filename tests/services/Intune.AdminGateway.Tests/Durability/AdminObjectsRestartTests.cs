using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using Intune.Admin.V1;
using Intune.AdminGateway.Auth;
using Intune.Device.V1;

namespace Intune.AdminGateway.Tests.Durability;

/// <summary>
/// Everything an admin creates, over REST and gRPC, is read back the same after a full restart on
/// the same storage: every GET answer is compared whole, field by field.
/// </summary>
public sealed class AdminObjectsRestartTests
{
    private const string GroupTarget = "#microsoft.graph.groupAssignmentTarget";

    [Fact]
    public async Task EveryAdminObject_AfterFullRestart_ReadsBackFieldByField()
    {
        await using var first = new ScaleUnitTestHost();
        await first.StartAsync();
        var (tenantId, token) = await first.CreateTenantAsync();
        using var device = first.NewDevice(Platform.Windows, 1);
        await device.EnrollAsync(token);
        await device.CheckInAsync();

        var created = await CreateEverythingAsync(first, tenantId, device.DeviceId!);
        await device.CheckInAsync(); // the policy and profile reach the device, so reports have rows
        var before = await ReadEverythingAsync(first, tenantId, created);
        await first.StopAsync();

        await using var second = new ScaleUnitTestHost(first.StoragePrefix);
        await second.StartAsync();
        var after = await ReadEverythingAsync(second, tenantId, created);

        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        foreach (var (what, value) in before)
        {
            Assert.True(JsonNode.DeepEquals(value, after[what]), $"{what} changed across the restart:\nbefore {value?.ToJsonString()}\nafter  {after[what]?.ToJsonString()}");
        }

        // What the objects do survives too: the custom role still grants its member exactly its reads.
        using var helper = second.AdminClient(HelperToken(second, tenantId));
        Assert.Equal(HttpStatusCode.OK, (await helper.GetAsync("deviceManagement/managedDevices")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await helper.GetAsync("deviceManagement/roleDefinitions")).StatusCode);
    }

    private sealed record Created(string PolicyId, string ProfileId, string RestGroupId, string GrpcGroupId, string EnrollmentConfigurationId, string RoleId, string RoleAssignmentId, string RevokedTokenId);

    private static async Task<Created> CreateEverythingAsync(ScaleUnitTestHost host, string tenantId, string deviceId)
    {
        using var admin = host.AdminClient(host.AdminToken(tenantId));
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{host.AdminGrpcPort}");
        var auth = new Metadata { { "Authorization", $"Bearer {host.AdminToken(tenantId)}" } };

        // Groups: one over REST with the device as member, one over gRPC with a user.
        var restGroup = await PostAsync(admin, "groups", new JsonObject { ["displayName"] = "Windows fleet", ["description"] = "Made over REST" });
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"groups/{restGroup}/members/$ref", new JsonObject { ["@odata.id"] = $"https://graph.microsoft.com/v1.0/devices/{deviceId}" })).StatusCode);
        var groups = new Groups.GroupsClient(channel);
        var grpcGroup = await groups.CreateGroupAsync(new CreateGroupRequest { DisplayName = "Helpdesk", Description = "Made over gRPC" }, auth);
        await groups.AddGroupMembersAsync(new AddGroupMembersRequest { GroupId = grpcGroup.Id, Members = { new GroupMember { Kind = GroupMemberKind.User, Id = "helper@contoso.example" } } }, auth);

        // A compliance policy with settings, a scheduled action and an assignment; a configuration profile assigned too.
        var policy = await PostAsync(admin, "deviceManagement/deviceCompliancePolicies", new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.windows10CompliancePolicy",
            ["displayName"] = "Windows baseline",
            ["description"] = "Survives restarts",
            ["bitLockerEnabled"] = true,
            ["osMinimumVersion"] = "10.0.19045",
            ["passwordRequired"] = true,
            ["passwordMinimumLength"] = 8,
            ["scheduledActionsForRule"] = new JsonArray(new JsonObject
            {
                ["ruleName"] = "PasswordRequired",
                ["scheduledActionConfigurations"] = new JsonArray(new JsonObject { ["actionType"] = "block", ["gracePeriodHours"] = 24, ["notificationTemplateId"] = string.Empty }),
            }),
        });
        await AssignAsync(admin, $"deviceManagement/deviceCompliancePolicies/{policy}/assign", restGroup);
        var profile = await PostAsync(admin, "deviceManagement/deviceConfigurations", new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.windows10GeneralConfiguration",
            ["displayName"] = "No camera",
            ["cameraBlocked"] = true,
        });
        await AssignAsync(admin, $"deviceManagement/deviceConfigurations/{profile}/assign", restGroup);

        // An enrollment configuration assigned and moved to priority 1.
        var configuration = await PostAsync(admin, "deviceManagement/deviceEnrollmentConfigurations", new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.deviceEnrollmentLimitConfiguration",
            ["displayName"] = "Three each",
            ["limit"] = 3,
        });
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"deviceManagement/deviceEnrollmentConfigurations/{configuration}/assign", new JsonObject
        {
            ["enrollmentConfigurationAssignments"] = new JsonArray(new JsonObject { ["target"] = new JsonObject { ["@odata.type"] = GroupTarget, ["groupId"] = grpcGroup.Id } }),
        })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"deviceManagement/deviceEnrollmentConfigurations/{configuration}/setPriority", new JsonObject { ["priority"] = 1 })).StatusCode);

        // A custom role and its assignment.
        var role = await PostAsync(admin, "deviceManagement/roleDefinitions", new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.deviceAndAppManagementRoleDefinition",
            ["displayName"] = "Device readers",
            ["description"] = "Read devices only",
            ["rolePermissions"] = new JsonArray(new JsonObject
            {
                ["resourceActions"] = new JsonArray(new JsonObject
                {
                    ["allowedResourceActions"] = new JsonArray(AdminPermissions.ManagedDevicesRead),
                    ["notAllowedResourceActions"] = new JsonArray(),
                }),
            }),
        });
        var roleAssignment = await PostAsync(admin, "deviceManagement/roleAssignments", new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.deviceAndAppManagementRoleAssignment",
            ["displayName"] = "Helpers read devices",
            ["members"] = new JsonArray("helper@contoso.example"),
            ["resourceScopes"] = new JsonArray("/"),
            ["roleDefinition@odata.bind"] = $"https://graph.microsoft.com/v1.0/deviceManagement/roleDefinitions/{role}",
        });

        // Tenant compliance settings over gRPC, and an enrollment token created then revoked.
        await new TenantSettings.TenantSettingsClient(channel).UpdateComplianceSettingsAsync(
            new UpdateComplianceSettingsRequest { DeviceComplianceCheckinThresholdDays = 12, SecureByDefault = true, IsScheduledActionEnabled = false }, auth);
        var tokens = new EnrollmentTokens.EnrollmentTokensClient(channel);
        var revoked = await tokens.CreateEnrollmentTokenAsync(new CreateEnrollmentTokenRequest { LifetimeHours = 48, MaximumUses = 7 }, auth);
        await tokens.RevokeEnrollmentTokenAsync(new RevokeEnrollmentTokenRequest { TokenId = revoked.TokenId }, auth);

        return new Created(policy, profile, restGroup, grpcGroup.Id, configuration, role, roleAssignment, revoked.TokenId);
    }

    /// <summary>Every admin-visible answer about what was created, by a name that says what it is.</summary>
    private static async Task<Dictionary<string, JsonNode?>> ReadEverythingAsync(ScaleUnitTestHost host, string tenantId, Created created)
    {
        using var admin = host.AdminClient(host.AdminToken(tenantId));
        string[] paths =
        [
            "groups",
            $"groups/{created.RestGroupId}",
            $"groups/{created.RestGroupId}/members",
            $"groups/{created.GrpcGroupId}/members",
            $"deviceManagement/deviceCompliancePolicies/{created.PolicyId}",
            $"deviceManagement/deviceCompliancePolicies/{created.PolicyId}/assignments",
            $"deviceManagement/deviceCompliancePolicies/{created.PolicyId}/deviceStatuses",
            $"deviceManagement/deviceCompliancePolicies/{created.PolicyId}/deviceStatusOverview",
            $"deviceManagement/deviceConfigurations/{created.ProfileId}",
            $"deviceManagement/deviceConfigurations/{created.ProfileId}/assignments",
            "deviceManagement/deviceEnrollmentConfigurations",
            $"deviceManagement/deviceEnrollmentConfigurations/{created.EnrollmentConfigurationId}",
            $"deviceManagement/roleDefinitions/{created.RoleId}",
            $"deviceManagement/roleAssignments/{created.RoleAssignmentId}",
            "deviceManagement",
            "deviceManagement/auditEvents",
        ];
        var answers = new Dictionary<string, JsonNode?>();
        foreach (var path in paths)
        {
            using var response = await admin.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
            // Context and next links name the admin port, which is new after a restart.
            answers[path] = JsonNode.Parse(body.Replace($"127.0.0.1:{host.AdminPort}", "admin-gateway", StringComparison.Ordinal));
        }

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{host.AdminGrpcPort}");
        var auth = new Metadata { { "Authorization", $"Bearer {host.AdminToken(tenantId)}" } };
        var tokens = await new EnrollmentTokens.EnrollmentTokensClient(channel).ListEnrollmentTokensAsync(new ListEnrollmentTokensRequest(), auth);
        var token = Assert.Single(tokens.Tokens, t => t.TokenId == created.RevokedTokenId);
        Assert.True(token.Revoked);
        answers["grpc ListEnrollmentTokens"] = JsonNode.Parse(Google.Protobuf.JsonFormatter.Default.Format(tokens));
        var settings = await new TenantSettings.TenantSettingsClient(channel).GetComplianceSettingsAsync(new GetComplianceSettingsRequest(), auth);
        Assert.Equal((12, true, false), (settings.DeviceComplianceCheckinThresholdDays, settings.SecureByDefault, settings.IsScheduledActionEnabled));
        answers["grpc GetComplianceSettings"] = JsonNode.Parse(Google.Protobuf.JsonFormatter.Default.Format(settings));
        return answers;
    }

    private static async Task<string> PostAsync(HttpClient admin, string path, JsonObject body)
    {
        using var response = await admin.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {path}: {(int)response.StatusCode} {text}");
        return (string)JsonNode.Parse(text)!["id"]!;
    }

    private static async Task AssignAsync(HttpClient admin, string path, string groupId)
    {
        using var response = await admin.PostAsJsonAsync(path, new JsonObject
        {
            ["assignments"] = new JsonArray(new JsonObject { ["target"] = new JsonObject { ["@odata.type"] = GroupTarget, ["groupId"] = groupId } }),
        });
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static string HelperToken(ScaleUnitTestHost host, string tenantId) =>
        host.Services.GetRequiredService<AdminTokenIssuer>().Issue(tenantId, ["No Built-in Role"], "helper@contoso.example", TimeSpan.FromHours(1));
}
