using Intune.AdminGateway.Resources.ManagedDevices;
using Intune.Grains.Audit;
using Intune.Grains.Errors;
using Microsoft.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;

namespace Intune.AdminGateway.Resources.AuditEvents;

/// <summary>
/// <c>$filter</c> and <c>$top</c> on auditEvents, parsed by Microsoft.OData.Core against an
/// auditEvent model and lowered to a predicate, plus the date bounds an and-chain sets on
/// <c>activityDateTime</c>, which decide the rows read (one row per event, by month partition).
/// </summary>
public sealed record AuditEventODataQuery(Func<AuditEvent, bool> Filter, DateTimeOffset? Since, DateTimeOffset? Until, int Top, Guid? After, IReadOnlyDictionary<string, string> Options)
{
    public const int DefaultTop = 100;
    public const int MaxTop = 1000;

    private static readonly string[] TextProperties = ["category", "activityType", "activityOperationType", "activityResult", "componentName", "activity", "displayName"];

    private static readonly (IEdmModel Model, IEdmEntityType Type, IEdmEntitySet Set) Edm = BuildModel();

    public static AuditEventODataQuery Parse(IReadOnlyDictionary<string, string> options)
    {
        var given = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in options.Where(o => o.Key.StartsWith('$')))
        {
            if (key.ToLowerInvariant() is not ("$filter" or "$top" or "$skiptoken"))
            {
                throw new InvalidRequestException($"The query option '{key}' is not supported on auditEvents; supported: $filter, $top, $skiptoken.");
            }

            given[key.ToLowerInvariant()] = value;
        }

        var parser = new ODataQueryOptionParser(Edm.Model, Edm.Type, Edm.Set, given);
        try
        {
            var clause = parser.ParseFilter();
            var filter = clause is null ? (_ => true) : Lower(clause.Expression);
            var since = clause is null ? null : Bound(clause.Expression, lower: true);
            var until = clause is null ? null : Bound(clause.Expression, lower: false);
            var top = parser.ParseTop() switch
            {
                null => DefaultTop,
                < 1 => throw new InvalidRequestException("$top must be between 1 and 1000."),
                var t => (int)Math.Min(t.Value, MaxTop),
            };
            Guid? after = parser.ParseSkipToken() is { } token
                ? Guid.TryParse(token, out var id) ? id : throw new InvalidRequestException("$skiptoken is not one this service issued; follow @odata.nextLink as returned.")
                : null;
            return new AuditEventODataQuery(filter, since, until, top, after, given);
        }
        catch (ODataException e)
        {
            throw new InvalidRequestException($"Invalid query: {e.Message}");
        }
    }

    public string NextLinkQuery(Guid last) =>
        string.Join('&', Options.Where(o => o.Key != "$skiptoken").Select(o => $"{o.Key}={Uri.EscapeDataString(o.Value)}").Append($"$skiptoken={last}"));

    private static Func<AuditEvent, bool> Lower(SingleValueNode node)
    {
        switch (node)
        {
            case ConvertNode convert:
                return Lower(convert.Source);
            case BinaryOperatorNode { OperatorKind: BinaryOperatorKind.And } and:
                {
                    var (l, r) = (Lower(and.Left), Lower(and.Right));
                    return e => l(e) && r(e);
                }

            case BinaryOperatorNode { OperatorKind: BinaryOperatorKind.Or } or:
                {
                    var (l, r) = (Lower(or.Left), Lower(or.Right));
                    return e => l(e) || r(e);
                }

            case UnaryOperatorNode { OperatorKind: UnaryOperatorKind.Not } not:
                {
                    var inner = Lower(not.Operand);
                    return e => !inner(e);
                }

            case BinaryOperatorNode binary when Unwrap(binary.Left) is SingleValuePropertyAccessNode property && Unwrap(binary.Right) is ConstantNode constant:
                return Compare(property.Property.Name, binary.OperatorKind, constant.Value);
            default:
                throw new InvalidRequestException("$filter on auditEvents compares activityDateTime or category (and other text properties) with a literal, combined with and/or/not.");
        }
    }

    private static Func<AuditEvent, bool> Compare(string property, BinaryOperatorKind op, object? value)
    {
        if (property == "activityDateTime")
        {
            var at = value as DateTimeOffset? ?? throw new InvalidRequestException("activityDateTime compares with an unquoted ISO 8601 literal such as 2026-11-01T00:00:00Z.");
            return e => Ordered(op, e.ActivityDateTime.CompareTo(at));
        }

        if (!TextProperties.Contains(property))
        {
            throw new InvalidRequestException($"Filtering auditEvents on '{property}' is not supported; use activityDateTime or one of {string.Join(", ", TextProperties)}.");
        }

        var text = value as string;
        Func<AuditEvent, string?> read = property switch
        {
            "category" => e => e.Category,
            "activityType" => e => e.ActivityType,
            "activityOperationType" => e => e.ActivityOperationType,
            "activityResult" => e => e.ActivityResult,
            "componentName" => e => e.ComponentName,
            "activity" => e => e.Activity,
            _ => e => e.DisplayName,
        };
        return e => Ordered(op, string.Compare(read(e), text, StringComparison.OrdinalIgnoreCase));
    }

    private static bool Ordered(BinaryOperatorKind op, int comparison) => op switch
    {
        BinaryOperatorKind.Equal => comparison == 0,
        BinaryOperatorKind.NotEqual => comparison != 0,
        BinaryOperatorKind.LessThan => comparison < 0,
        BinaryOperatorKind.LessThanOrEqual => comparison <= 0,
        BinaryOperatorKind.GreaterThan => comparison > 0,
        BinaryOperatorKind.GreaterThanOrEqual => comparison >= 0,
        _ => throw new InvalidRequestException($"The operator '{op}' is not supported on auditEvents; use eq ne lt le gt ge."),
    };

    /// <summary>The earliest (or latest) activityDateTime an and-chain allows, so rows outside it are not read.</summary>
    private static DateTimeOffset? Bound(SingleValueNode node, bool lower) => node switch
    {
        ConvertNode convert => Bound(convert.Source, lower),
        BinaryOperatorNode { OperatorKind: BinaryOperatorKind.And } and => Tighter(Bound(and.Left, lower), Bound(and.Right, lower), lower),
        BinaryOperatorNode b when Unwrap(b.Left) is SingleValuePropertyAccessNode { Property.Name: "activityDateTime" } && Unwrap(b.Right) is ConstantNode { Value: DateTimeOffset at }
            && (b.OperatorKind == BinaryOperatorKind.Equal || b.OperatorKind == (lower ? BinaryOperatorKind.GreaterThan : BinaryOperatorKind.LessThan)
                || b.OperatorKind == (lower ? BinaryOperatorKind.GreaterThanOrEqual : BinaryOperatorKind.LessThanOrEqual)) => at,
        _ => null,
    };

    private static DateTimeOffset? Tighter(DateTimeOffset? a, DateTimeOffset? b, bool lower) =>
        a is null ? b : b is null ? a : lower ? (a > b ? a : b) : (a < b ? a : b);

    private static QueryNode Unwrap(QueryNode node) => node is ConvertNode convert ? Unwrap(convert.Source) : node;

    private static (IEdmModel, IEdmEntityType, IEdmEntitySet) BuildModel()
    {
        var model = new EdmModel();
        var type = new EdmEntityType(ManagedDeviceEdm.Namespace, "auditEvent");
        type.AddKeys(type.AddStructuralProperty("id", EdmPrimitiveTypeKind.String, false));
        type.AddStructuralProperty("activityDateTime", EdmPrimitiveTypeKind.DateTimeOffset, false);
        type.AddStructuralProperty("correlationId", EdmPrimitiveTypeKind.Guid, false);
        foreach (var name in TextProperties)
        {
            type.AddStructuralProperty(name, EdmPrimitiveTypeKind.String, true);
        }

        model.AddElement(type);
        var container = new EdmEntityContainer(ManagedDeviceEdm.Namespace, "GraphService");
        var set = container.AddEntitySet("auditEvents", type);
        model.AddElement(container);
        return (model, type, set);
    }
}
