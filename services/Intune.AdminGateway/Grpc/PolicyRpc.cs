using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Graph;
using Intune.Grains.Policies;
using V1 = Intune.Admin.V1;

namespace Intune.AdminGateway.Grpc;

/// <summary>
/// What the policy, group and compliance gRPC services share: the application layer's refusals
/// as status codes, policy kinds, Graph JSON bodies carried as <see cref="Struct"/>, and times.
/// </summary>
internal static class PolicyRpc
{
    /// <summary>Validation → InvalidArgument, a missing (or another tenant's) object → NotFound, with the application layer's message.</summary>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (PolicyValidationException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        catch (ObjectNotFoundException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
    }

    public static PolicyKind Kind(V1.PolicyKind kind) => kind switch
    {
        V1.PolicyKind.Compliance => PolicyKind.Compliance,
        V1.PolicyKind.Configuration => PolicyKind.Configuration,
        _ => throw AdminCall.InvalidArgument("kind must be POLICY_KIND_COMPLIANCE or POLICY_KIND_CONFIGURATION."),
    };

    public static V1.PolicyKind Message(PolicyKind kind) =>
        kind == PolicyKind.Compliance ? V1.PolicyKind.Compliance : V1.PolicyKind.Configuration;

    /// <summary>The Graph JSON object a <see cref="Struct"/> carries, for the one Graph mapping to validate.</summary>
    public static JsonObject GraphBody(Struct? body, string field) =>
        body is null
            ? throw AdminCall.InvalidArgument($"{field} is required: the policy as Graph's JSON, with \"@odata.type\".")
            : JsonNode.Parse(JsonFormatter.Default.Format(body)) as JsonObject ?? throw AdminCall.InvalidArgument($"{field} must be a JSON object.");

    public static Struct Struct(JsonObject json) => JsonParser.Default.Parse<Struct>(json.ToJsonString(GraphJson.Options));

    public static Timestamp Time(DateTimeOffset value) => Timestamp.FromDateTimeOffset(value);

    /// <summary>Unset (null) for a date that is not there, as proto3 messages leave an absent field.</summary>
    public static Timestamp? Time(DateTimeOffset? value) => value is { } v ? Timestamp.FromDateTimeOffset(v) : null;

    /// <summary>Graph's camelCase spelling of an enum value ("nonCompliant", "inGracePeriod").</summary>
    public static string GraphName<TEnum>(TEnum value)
        where TEnum : struct, System.Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    /// <summary>Audit resource type and category of a policy kind, as REST names them.</summary>
    public static (string ResourceType, string Category) AuditNames(PolicyKind kind) => kind == PolicyKind.Compliance
        ? ("DeviceCompliancePolicy", AuditLog.CategoryByCollection["deviceCompliancePolicies"])
        : ("DeviceConfiguration", AuditLog.CategoryByCollection["deviceConfigurations"]);
}
