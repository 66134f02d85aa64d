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

    /// <summary>
    /// The Graph JSON object a <see cref="Struct"/> carries, for the one Graph mapping to validate;
    /// held to what a REST body may be (<see cref="GraphRequestBody.MaxDepth"/> levels, numbers JSON can spell).
    /// </summary>
    public static JsonObject GraphBody(Struct? body, string field)
    {
        if (body is null)
        {
            throw new InvalidRequestException($"{field} is required: the policy as Graph's JSON, with \"@odata.type\".", field);
        }

        CheckShape(body, field, depth: 1);
        return JsonNode.Parse(JsonFormatter.Default.Format(body), documentOptions: new JsonDocumentOptions { MaxDepth = GraphRequestBody.MaxDepth }) as JsonObject
            ?? throw new InvalidRequestException($"{field} must be a JSON object.", field);
    }

    /// <summary>Refuses what JSON cannot carry (NaN, infinities) and nesting past a REST body's, before formatting throws on either.</summary>
    private static void CheckShape(Struct value, string field, int depth)
    {
        if (depth > GraphRequestBody.MaxDepth)
        {
            throw new InvalidRequestException($"{field} is nested deeper than {GraphRequestBody.MaxDepth} levels.", field);
        }

        foreach (var (name, member) in value.Fields)
        {
            CheckShape(member, field, depth, name);
        }
    }

    private static void CheckShape(Value value, string field, int depth, string name)
    {
        switch (value.KindCase)
        {
            case Value.KindOneofCase.NumberValue when !double.IsFinite(value.NumberValue):
                throw new InvalidRequestException($"{field}: \"{name}\" is {value.NumberValue}, which JSON cannot carry; send a finite number.", field);
            case Value.KindOneofCase.StructValue:
                CheckShape(value.StructValue, field, depth + 1);
                break;
            case Value.KindOneofCase.ListValue:
                if (depth + 1 > GraphRequestBody.MaxDepth)
                {
                    throw new InvalidRequestException($"{field} is nested deeper than {GraphRequestBody.MaxDepth} levels.", field);
                }

                foreach (var item in value.ListValue.Values)
                {
                    CheckShape(item, field, depth + 1, name);
                }

                break;
        }
    }

    public static Struct Struct(JsonObject json) => JsonParser.Default.Parse<Struct>(json.ToJsonString(GraphJson.Options));

    public static Timestamp Time(DateTimeOffset value) => Timestamp.FromDateTimeOffset(value);

    /// <summary>Unset (null) for a date that is not there, as proto3 messages leave an absent field.</summary>
    public static Timestamp? Time(DateTimeOffset? value) => value is { } v ? Timestamp.FromDateTimeOffset(v) : null;

    /// <summary>Graph's camelCase spelling of an enum value ("nonCompliant", "inGracePeriod").</summary>
    public static string GraphName<TEnum>(TEnum value)
        where TEnum : struct, System.Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
}
