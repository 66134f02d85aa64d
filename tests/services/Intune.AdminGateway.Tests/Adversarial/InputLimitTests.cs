using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using Intune.Admin.V1;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Limits;

namespace Intune.AdminGateway.Tests.Adversarial;

/// <summary>
/// Input past a limit is refused with a 400 in Graph's envelope (gRPC: InvalidArgument) that names
/// the field and the limit; nothing is created, and the gateway keeps serving.
/// </summary>
[Trait("Category", "Adversarial")]
public sealed class InputLimitTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private ScaleUnitTestHost Host => fixture.Host;

    public static TheoryData<string, string, string> RefusedBodies() => new()
    {
        { "groups", $"{{\"displayName\":\"{new string('x', InputLimits.MaxDisplayName + 1)}\"}}", "the limit is 256" },
        { "groups", $"{{\"displayName\":\"ok\",\"description\":\"{new string('x', InputLimits.MaxDescription + 1)}\"}}", "the limit is 1024" },
        { "groups", "{\"displayName\":\"bell\\u0007\"}", "control characters" },
        { "groups", "{\"displayName\":\"first\",\"displayName\":\"second\"}", "repeats a property" },
        { "groups", new string('[', GraphRequestBody.MaxDepth + 8) + new string(']', GraphRequestBody.MaxDepth + 8), "nested deeper than 32" },
        {
            "deviceManagement/deviceCompliancePolicies",
            $"{{\"@odata.type\":\"#microsoft.graph.windows10CompliancePolicy\",\"displayName\":\"{new string('p', 300)}\",\"scheduledActionsForRule\":[{{\"ruleName\":\"PasswordRequired\",\"scheduledActionConfigurations\":[{{\"actionType\":\"block\",\"gracePeriodHours\":0}}]}}]}}",
            "the limit is 256"
        },
    };

    [Theory]
    [MemberData(nameof(RefusedBodies))]
    public async Task ABodyPastALimit_Is400NamingIt_AndCreatesNothing(string path, string body, string expected)
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));

        var answer = await admin.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var error = await answer.Content.ReadFromJsonAsync<JsonObject>();
        var groups = await admin.GetFromJsonAsync<JsonObject>("groups");

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains(expected, (string?)error!["error"]!["message"], StringComparison.Ordinal);
        Assert.Empty(groups!["value"]!.AsArray());
    }

    [Fact]
    public async Task ABodyPastOneMegabyte_IsRefusedInGraphsEnvelope()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        var huge = new StringContent($"{{\"displayName\":\"{new string('x', GraphRequestBody.MaxBytes)}\"}}", Encoding.UTF8, "application/json");

        var answer = await admin.PostAsync("groups", huge);
        var error = await answer.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains("limit", (string?)error!["error"]!["message"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a/b@contoso.example")]
    [InlineData("a%2Fb@contoso.example")]
    [InlineData("no-at-sign")]
    public async Task AMalformedUserPrincipalName_Is400(string userPrincipalName)
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));

        var answer = await admin.DeleteAsync($"users/{Uri.EscapeDataString(userPrincipalName)}");

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
    }

    [Fact]
    public async Task ALongDisplayName_OverGrpc_IsInvalidArgumentNamingTheLimit()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{Host.AdminGrpcPort}");
        var groups = new Groups.GroupsClient(channel);
        var auth = new Metadata { { "Authorization", $"Bearer {Host.AdminToken(tenantId)}" } };

        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            groups.CreateGroupAsync(new CreateGroupRequest { DisplayName = new string('g', 1000) }, auth).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("the limit is 256", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN, 2, "which JSON cannot carry")]
    [InlineData(double.PositiveInfinity, 2, "which JSON cannot carry")]
    [InlineData(1d, GraphRequestBody.MaxDepth + 1, "nested deeper than 32")]
    [InlineData(1d, 60, "too many levels of nesting")]
    public async Task AGraphBodyOverGrpc_ThatJsonCannotCarryOrTooDeep_IsRefusedAndCreatesNothing(double number, int depth, string expected)
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{Host.AdminGrpcPort}");
        var policies = new DevicePolicies.DevicePoliciesClient(channel);
        var auth = new Metadata { { "Authorization", $"Bearer {Host.AdminToken(tenantId)}" } };
        var body = new Google.Protobuf.WellKnownTypes.Struct();
        body.Fields["@odata.type"] = Google.Protobuf.WellKnownTypes.Value.ForString("#microsoft.graph.windows10CompliancePolicy");
        body.Fields["displayName"] = Google.Protobuf.WellKnownTypes.Value.ForString("Odd body");
        var innermost = body;
        for (var level = 2; level <= depth; level++)
        {
            var nested = new Google.Protobuf.WellKnownTypes.Struct();
            innermost.Fields["nested"] = Google.Protobuf.WellKnownTypes.Value.ForStruct(nested);
            innermost = nested;
        }

        innermost.Fields["passwordMinimumLength"] = Google.Protobuf.WellKnownTypes.Value.ForNumber(number);

        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            policies.CreatePolicyAsync(new CreatePolicyRequest { Kind = PolicyKind.Compliance, GraphBody = body }, auth).ResponseAsync);
        var listed = await policies.ListPoliciesAsync(new ListPoliciesRequest { Kind = PolicyKind.Compliance }, auth);

        // Past protobuf's own recursion limit the message cannot be read at all: grpc-dotnet answers
        // Unknown before any interceptor runs (grpc/grpc-dotnet#1983), with the reason in the detail.
        Assert.Equal(depth > 49 ? StatusCode.Unknown : StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains(expected, refused.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(listed.Policies);
    }
}
