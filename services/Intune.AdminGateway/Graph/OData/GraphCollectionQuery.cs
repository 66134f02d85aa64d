using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Intune.Grains.Errors;
using Microsoft.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;

namespace Intune.AdminGateway.Graph.OData;

/// <summary>
/// OData query options over a collection the service holds whole (policies, profiles, enrollment
/// configurations, roles, groups, reports — tens to hundreds of objects per tenant): <c>$filter</c>,
/// <c>$select</c>, <c>$orderby</c>, <c>$top</c>, <c>$skip</c>, <c>$count</c>. Microsoft.OData.Core
/// parses them against a model inferred from the objects themselves (an open type, so a filter on
/// an empty collection, or on a property only some subtypes have, is valid); the parsed tree is
/// evaluated here on the JSON. String comparisons ignore case, as Intune's do. Any other option
/// is a 400 naming it, unless the resource serves it itself (<c>handled</c>, e.g. <c>$expand</c>).
/// managedDevices and auditEvents, which are indexed and paged in storage, have parsers of their own.
/// </summary>
public static partial class GraphCollectionQuery
{
    private static readonly HashSet<string> Served = new(StringComparer.OrdinalIgnoreCase) { "$filter", "$select", "$orderby", "$top", "$skip", "$count" };

    public sealed record Result(IReadOnlyList<JsonNode?> Values, long? Count, int? NextSkip, IReadOnlyList<string>? Select);

    /// <param name="options">The request's query (keys with their <c>$</c>).</param>
    /// <param name="handled">Options the resource applied itself, accepted and left alone here.</param>
    public static Result Apply(IReadOnlyDictionary<string, string> options, IReadOnlyList<JsonNode?> values, string resource, IReadOnlyCollection<string> handled)
    {
        var given = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in options)
        {
            if (!key.StartsWith('$') || handled.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!Served.Contains(key))
            {
                throw new InvalidRequestException($"The query option '{key}' is not supported on {resource}; supported: {string.Join(", ", Served.Concat(handled))}.", key);
            }

            given[key.ToLowerInvariant()] = value;
        }

        if (given.Count == 0)
        {
            return new Result(values, null, null, null);
        }

        var objects = values.OfType<JsonObject>().ToList();
        if (objects.Count != values.Count && given.Keys.Any(k => k is "$filter" or "$select" or "$orderby"))
        {
            throw new InvalidRequestException($"{resource} is a collection of values, not objects: $filter, $select and $orderby do not apply.");
        }

        var (model, type, set) = Model(objects, resource);
        var parser = new ODataQueryOptionParser(model, type, set, given) { Resolver = new ODataUriResolver { EnableCaseInsensitive = true } };
        try
        {
            IEnumerable<JsonNode?> result = values;
            if (parser.ParseFilter() is { } filter)
            {
                result = result.Where(v => Truth(Evaluate(filter.Expression, (JsonObject)v!, filter.RangeVariable, null)));
            }

            if (parser.ParseOrderBy() is { } order)
            {
                result = Sort(result.ToList(), order);
            }

            var matched = result.ToList();
            var skip = parser.ParseSkip() is { } s ? (s < 0 ? throw new InvalidRequestException("$skip must not be negative.", "$skip") : (int)Math.Min(s, int.MaxValue)) : 0;
            var top = parser.ParseTop() is { } t ? (t < 0 ? throw new InvalidRequestException("$top must not be negative.", "$top") : (int)Math.Min(t, int.MaxValue)) : (int?)null;
            var page = matched.Skip(skip).Take(top ?? int.MaxValue).ToList();
            int? nextSkip = top is { } taken && skip + taken < matched.Count ? skip + taken : null;
            IReadOnlyList<string>? select = null;
            if (given.ContainsKey("$select"))
            {
                select = Selected(parser.ParseSelectAndExpand());
                page = page.Select(v => (JsonNode?)Project((JsonObject)v!, select)).ToList();
            }

            return new Result(page, parser.ParseCount() == true ? matched.Count : null, nextSkip, select);
        }
        catch (ODataException e)
        {
            throw new InvalidRequestException($"Invalid query on {resource}: {e.Message}");
        }
    }

    /// <summary>Only the selected properties (and the object's <c>@odata.*</c> annotations, which the SDK needs to pick a subtype).</summary>
    public static JsonObject Project(JsonObject value, IReadOnlyList<string> select)
    {
        var projected = new JsonObject();
        foreach (var (name, node) in value)
        {
            if (name.StartsWith("@odata.", StringComparison.Ordinal) || select.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                projected[name] = node?.DeepClone();
            }
        }

        return projected;
    }

    private static List<string> Selected(SelectExpandClause clause) =>
        clause.SelectedItems.OfType<PathSelectItem>().Select(p => p.SelectedPath.LastSegment switch
        {
            PropertySegment property => property.Property.Name,
            DynamicPathSegment dynamic => dynamic.Identifier,
            var other => other.Identifier,
        }).ToList();

    /// <summary>An open entity type whose declared properties are those the objects carry, typed by their values.</summary>
    private static (IEdmModel Model, IEdmEntityType Type, IEdmEntitySet Set) Model(List<JsonObject> objects, string resource)
    {
        var model = new EdmModel();
        var type = new EdmEntityType("microsoft.graph", "entity", baseType: null, isAbstract: false, isOpen: true);
        var declared = new Dictionary<string, IEdmTypeReference>(StringComparer.Ordinal)
        {
            ["id"] = EdmCoreModel.Instance.GetString(false),
        };
        foreach (var (name, value) in objects.SelectMany(o => o).Where(p => !p.Key.Contains('@') && p.Value is not null))
        {
            if (!declared.ContainsKey(name) && TypeOf(value!) is { } edm)
            {
                declared[name] = edm;
            }
        }

        foreach (var (name, edm) in declared)
        {
            var property = type.AddStructuralProperty(name, edm);
            if (name == "id")
            {
                type.AddKeys(property);
            }
        }

        model.AddElement(type);
        var container = new EdmEntityContainer("microsoft.graph", "GraphService");
        var set = container.AddEntitySet(resource.Replace('/', '_'), type);
        model.AddElement(container);
        return (model, type, set);
    }

    private static IEdmTypeReference? TypeOf(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.String when IsoDate().IsMatch(value.GetValue<string>()) => EdmCoreModel.Instance.GetDateTimeOffset(true),
        JsonValueKind.String => EdmCoreModel.Instance.GetString(true),
        JsonValueKind.True or JsonValueKind.False => EdmCoreModel.Instance.GetBoolean(true),
        JsonValueKind.Number when value.AsValue().TryGetValue<long>(out _) => EdmCoreModel.Instance.GetInt64(true),
        JsonValueKind.Number => EdmCoreModel.Instance.GetDouble(true),
        JsonValueKind.Array when value.AsArray().All(e => e?.GetValueKind() == JsonValueKind.String) => EdmCoreModel.GetCollection(EdmCoreModel.Instance.GetString(true)),
        JsonValueKind.Array => EdmCoreModel.GetCollection(EdmCoreModel.Instance.GetUntyped()),
        _ => EdmCoreModel.Instance.GetUntyped(),
    };

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex IsoDate();

    private static object? Evaluate(QueryNode node, JsonObject item, RangeVariable? it, Dictionary<string, object?>? lambda) => node switch
    {
        ConstantNode constant => constant.Value is ODataEnumValue e ? e.Value : constant.Value,
        ConvertNode convert => Evaluate(convert.Source, item, it, lambda),
        SingleValuePropertyAccessNode property => Clr(item[property.Property.Name]),
        SingleValueOpenPropertyAccessNode open => Clr(item[open.Name]),
        NonResourceRangeVariableReferenceNode variable when lambda is not null && lambda.TryGetValue(variable.Name, out var bound) => bound,
        ResourceRangeVariableReferenceNode => item,
        BinaryOperatorNode { OperatorKind: BinaryOperatorKind.And } and => Truth(Evaluate(and.Left, item, it, lambda)) && Truth(Evaluate(and.Right, item, it, lambda)),
        BinaryOperatorNode { OperatorKind: BinaryOperatorKind.Or } or => Truth(Evaluate(or.Left, item, it, lambda)) || Truth(Evaluate(or.Right, item, it, lambda)),
        BinaryOperatorNode binary => Comparison(binary.OperatorKind, Evaluate(binary.Left, item, it, lambda), Evaluate(binary.Right, item, it, lambda)),
        UnaryOperatorNode { OperatorKind: UnaryOperatorKind.Not } not => !Truth(Evaluate(not.Operand, item, it, lambda)),
        SingleValueFunctionCallNode call => Function(call, item, it, lambda),
        AnyNode any => Elements(any.Source, item).Any(e => Truth(Evaluate(any.Body, item, it, Bind(lambda, any.CurrentRangeVariable.Name, e)))),
        AllNode all => Elements(all.Source, item).All(e => Truth(Evaluate(all.Body, item, it, Bind(lambda, all.CurrentRangeVariable.Name, e)))),
        _ => throw new InvalidRequestException($"This $filter expression ({node.Kind}) is not supported; compare properties with literals (eq ne lt le gt ge), combine with and/or/not, use startswith/endswith/contains/tolower/toupper, or any/all on a collection."),
    };

    private static Dictionary<string, object?> Bind(Dictionary<string, object?>? outer, string name, object? value) =>
        new(outer ?? new Dictionary<string, object?>(StringComparer.Ordinal), StringComparer.Ordinal) { [name] = value };

    private static IEnumerable<object?> Elements(CollectionNode source, JsonObject item)
    {
        var name = source switch
        {
            CollectionPropertyAccessNode property => property.Property.Name,
            CollectionOpenPropertyAccessNode open => open.Name,
            _ => throw new InvalidRequestException("any/all apply to a collection property of the object, e.g. roleScopeTagIds/any(t: t eq '0')."),
        };
        return item[name] is JsonArray array ? array.Select(Clr) : [];
    }

    private static object? Function(SingleValueFunctionCallNode call, JsonObject item, RangeVariable? it, Dictionary<string, object?>? lambda)
    {
        var args = call.Parameters.Select(p => Evaluate(p, item, it, lambda)).ToList();
        string? Text(int i) => args.ElementAtOrDefault(i) switch
        {
            null => null,
            string s => s,
            var other => Convert.ToString(other, CultureInfo.InvariantCulture),
        };

        return call.Name switch
        {
            "startswith" => Text(0) is { } a && Text(1) is { } b && a.StartsWith(b, StringComparison.OrdinalIgnoreCase),
            "endswith" => Text(0) is { } a && Text(1) is { } b && a.EndsWith(b, StringComparison.OrdinalIgnoreCase),
            "contains" => Text(0) is { } a && Text(1) is { } b && a.Contains(b, StringComparison.OrdinalIgnoreCase),
            "tolower" => Text(0)?.ToLowerInvariant(),
            "toupper" => Text(0)?.ToUpperInvariant(),
            "length" => Text(0)?.Length,
            _ => throw new InvalidRequestException($"The function '{call.Name}' is not supported in $filter; use startswith, endswith, contains, tolower, toupper or length."),
        };
    }

    private static bool Comparison(BinaryOperatorKind kind, object? left, object? right)
    {
        var order = Compare(left, right);
        return kind switch
        {
            BinaryOperatorKind.Equal => order == 0,
            BinaryOperatorKind.NotEqual => order != 0,
            BinaryOperatorKind.GreaterThan => left is not null && right is not null && order > 0,
            BinaryOperatorKind.GreaterThanOrEqual => left is not null && right is not null && order >= 0,
            BinaryOperatorKind.LessThan => left is not null && right is not null && order < 0,
            BinaryOperatorKind.LessThanOrEqual => left is not null && right is not null && order <= 0,
            _ => throw new InvalidRequestException($"The operator '{kind}' is not supported in $filter; use eq, ne, gt, ge, lt, le, and, or, not."),
        };
    }

    /// <summary>Orders two values of one property: null first, numbers and dates by value, strings ignoring case.</summary>
    private static int Compare(object? left, object? right)
    {
        if (left is null || right is null)
        {
            return (left is null ? 0 : 1) - (right is null ? 0 : 1);
        }

        if (left is DateTimeOffset || right is DateTimeOffset)
        {
            return Date(left).CompareTo(Date(right));
        }

        if (IsNumber(left) && IsNumber(right))
        {
            return Convert.ToDouble(left, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(right, CultureInfo.InvariantCulture));
        }

        if (left is bool a && right is bool b)
        {
            return a.CompareTo(b);
        }

        return string.Compare(Convert.ToString(left, CultureInfo.InvariantCulture), Convert.ToString(right, CultureInfo.InvariantCulture), StringComparison.OrdinalIgnoreCase);
    }

    private static DateTimeOffset Date(object value) => value switch
    {
        DateTimeOffset d => d,
        DateOnly d => new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
        // Strings from the JSON, and the parser's date literals, read as UTC.
        _ when DateTimeOffset.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) => parsed,
        _ => throw new InvalidRequestException($"'{value}' is not a date to compare with."),
    };

    private static bool IsNumber(object value) => value is int or long or double or decimal or float or short or byte;

    private static bool Truth(object? value) => value is true;

    private static object? Clr(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => null,
        JsonValueKind.String => node.GetValue<string>(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when node.AsValue().TryGetValue<long>(out var whole) => whole,
        JsonValueKind.Number => node.GetValue<double>(),
        _ => node.ToJsonString(),
    };

    private static List<JsonNode?> Sort(List<JsonNode?> values, OrderByClause order)
    {
        var clauses = new List<OrderByClause>();
        for (var clause = order; clause is not null; clause = clause.ThenBy)
        {
            clauses.Add(clause);
        }

        // LINQ's ordering is stable: ties keep the service's order.
        return values.Order(Comparer<JsonNode?>.Create((x, y) =>
        {
            foreach (var clause in clauses)
            {
                var c = Compare(Evaluate(clause.Expression, (JsonObject)x!, clause.RangeVariable, null), Evaluate(clause.Expression, (JsonObject)y!, clause.RangeVariable, null));
                if (c != 0)
                {
                    return clause.Direction == OrderByDirection.Descending ? -c : c;
                }
            }

            return 0;
        })).ToList();
    }
}
