using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Intune.AdminGateway.Graph;
using Intune.Grains.Errors;
using Intune.Grains.Policies;
using V1 = Intune.Admin.V1;

namespace Intune.AdminGateway.Grpc;

/// <summary>
/// What the admin gRPC services share when reading requests and writing messages: required
/// fields, OData options, policy kinds, Graph JSON bodies carried as <see cref="Struct"/>, times.
/// Refusals are the application's <see cref="InvalidRequestException"/>, named by the proto field.
/// </summary>
internal static class AdminGrpcMessages
{
    /// <summary>proto3 strings are never null: an empty one is a missing required field.</summary>
    public static string Required(string value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new InvalidRequestException($"{field} is required.", field) : value;

    /// <summary>proto3 strings cannot be null; an empty one means "not given".</summary>
    public static string? Optional(string value) => value.Length == 0 ? null : value;

    /// <summary>Request fields as the OData options the shared query parsers read.</summary>
    public static Dictionary<string, string> Options(params (string Key, string? Value)[] options) =>
        options.Where(o => !string.IsNullOrEmpty(o.Value)).ToDictionary(o => o.Key, o => o.Value!);

    public static PolicyKind Kind(V1.PolicyKind kind) => kind switch
    {
        V1.PolicyKind.Compliance => PolicyKind.Compliance,
        V1.PolicyKind.Configuration => PolicyKind.Configuration,
        _ => throw new InvalidRequestException("kind must be POLICY_KIND_COMPLIANCE or POLICY_KIND_CONFIGURATION.", "kind"),
    };

    public static V1.PolicyKind Message(PolicyKind kind) =>
        kind == PolicyKind.Compliance ? V1.PolicyKind.Compliance : V1.PolicyKind.Configuration;

    /// <summary>The Graph JSON object a <see cref="Struct"/> carries, for the one Graph mapping to validate.</summary>
    public static JsonObject GraphBody(Struct? body, string field) =>
        body is null
            ? throw new InvalidRequestException($"{field} is required: the policy as Graph's JSON, with \"@odata.type\".", field)
            : JsonNode.Parse(JsonFormatter.Default.Format(body)) as JsonObject ?? throw new InvalidRequestException($"{field} must be a JSON object.", field);

    public static Struct Struct(JsonObject json) => JsonParser.Default.Parse<Struct>(json.ToJsonString(GraphJson.Options));

    public static Timestamp Time(DateTimeOffset value) => Timestamp.FromDateTimeOffset(value);

    /// <summary>Unset (null) for a date that is not there, as proto3 messages leave an absent field.</summary>
    public static Timestamp? Time(DateTimeOffset? value) => value is { } v ? Timestamp.FromDateTimeOffset(v) : null;

    /// <summary>Graph's camelCase spelling of an enum value ("nonCompliant", "inGracePeriod").</summary>
    public static string GraphName<TEnum>(TEnum value)
        where TEnum : struct, System.Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
}
