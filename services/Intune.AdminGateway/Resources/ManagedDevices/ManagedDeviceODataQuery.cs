using System.Buffers.Text;
using System.Text.Json;
using Intune.Grains.Devices;
using Intune.Grains.Errors;
using Microsoft.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;

namespace Intune.AdminGateway.Resources.ManagedDevices;

/// <summary>
/// A managedDevices listing parsed from OData query options by Microsoft.OData.Core against
/// <see cref="ManagedDeviceEdm"/>, then lowered to the index's <see cref="DeviceQuery"/>. REST
/// passes the request's options; gRPC passes the same strings, so both accept the same language.
/// </summary>
public sealed record ManagedDeviceODataQuery(DeviceQuery Query, IReadOnlyList<string>? Select, IReadOnlyDictionary<string, string> Options)
{
    public const int DefaultTop = 100;
    public const int MaxTop = 1000;

    public static readonly IReadOnlySet<string> SupportedOptions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "$filter", "$select", "$top", "$count", "$orderby", "$skiptoken",
    };

    public static readonly IReadOnlyDictionary<string, DeviceField> FilterableFields = new Dictionary<string, DeviceField>(StringComparer.Ordinal)
    {
        ["id"] = DeviceField.Id,
        ["deviceName"] = DeviceField.DeviceName,
        ["operatingSystem"] = DeviceField.OperatingSystem,
        ["complianceState"] = DeviceField.ComplianceState,
        ["managementState"] = DeviceField.ManagementState,
        ["userPrincipalName"] = DeviceField.UserPrincipalName,
        ["serialNumber"] = DeviceField.SerialNumber,
        ["lastSyncDateTime"] = DeviceField.LastSyncDateTime,
        ["enrolledDateTime"] = DeviceField.EnrolledDateTime,
    };

    /// <summary>Parses the options (keys with their <c>$</c>); throws <see cref="InvalidRequestException"/> with a readable message.</summary>
    public static ManagedDeviceODataQuery Parse(IReadOnlyDictionary<string, string> options)
    {
        var given = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in options)
        {
            if (!key.StartsWith('$'))
            {
                continue;
            }

            if (!SupportedOptions.Contains(key))
            {
                throw new InvalidRequestException(key.Equals("$skip", StringComparison.OrdinalIgnoreCase)
                    ? "$skip is not supported on managedDevices: page by following @odata.nextLink (keyset $skiptoken)."
                    : $"The query option '{key}' is not supported on managedDevices; supported: {string.Join(", ", SupportedOptions)}.");
            }

            given[key.ToLowerInvariant()] = value;
        }

        var parser = new ODataQueryOptionParser(ManagedDeviceEdm.Model, ManagedDeviceEdm.ManagedDevice, ManagedDeviceEdm.ManagedDevices, given)
        {
            Resolver = new StringAsEnumResolver { EnableCaseInsensitive = true },
        };

        try
        {
            var filter = parser.ParseFilter() is { } clause ? Lower(clause.Expression) : null;
            var order = LowerOrder(parser.ParseOrderBy());
            var select = LowerSelect(parser.ParseSelectAndExpand());
            var top = parser.ParseTop() switch
            {
                null => DefaultTop,
                < 1 => throw new InvalidRequestException("$top must be between 1 and 1000."),
                var t => (int)Math.Min(t.Value, MaxTop),
            };
            var count = parser.ParseCount() ?? false;
            var after = parser.ParseSkipToken() is { } token ? DecodeSkipToken(token, order) : null;
            return new ManagedDeviceODataQuery(
                new DeviceQuery { Filter = filter, Order = order, Top = top, Count = count, After = after },
                select,
                given);
        }
        catch (ODataException e)
        {
            // The library's messages name the position and the token ("Syntax error at position 17 in ..."),
            // which is what the admin needs to fix the query.
            throw new InvalidRequestException($"Invalid query: {e.Message}");
        }
    }

    /// <summary>The options to repeat in <c>@odata.nextLink</c> with the next page's keyset.</summary>
    public string NextLinkQuery(DeviceKeyset next)
    {
        var parts = Options
            .Where(o => o.Key != "$skiptoken")
            .Select(o => $"{o.Key}={Uri.EscapeDataString(o.Value)}")
            .Append($"$skiptoken={EncodeSkipToken(Query.Order, next)}");
        return string.Join('&', parts);
    }

    public static string EncodeSkipToken(DeviceOrder order, DeviceKeyset keyset) =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new SkipToken((int)order, keyset.Id, keyset.DeviceName, keyset.LastSyncDateTime.UtcTicks)));

    private static DeviceKeyset DecodeSkipToken(string token, DeviceOrder order)
    {
        SkipToken? decoded = null;
        try
        {
            decoded = JsonSerializer.Deserialize<SkipToken>(Base64Url.DecodeFromChars(token));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
        }

        if (decoded is null || string.IsNullOrEmpty(decoded.I) || decoded.S < DateTimeOffset.MinValue.UtcTicks || decoded.S > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw new InvalidRequestException("$skiptoken is not one this service issued; follow @odata.nextLink as returned.");
        }

        if (decoded.O != (int)order)
        {
            throw new InvalidRequestException("$skiptoken was issued for a different $orderby; follow @odata.nextLink as returned.");
        }

        return new DeviceKeyset(decoded.I, decoded.N, new DateTimeOffset(decoded.S, TimeSpan.Zero));
    }

    private static DeviceFilter Lower(SingleValueNode node) => node switch
    {
        ConvertNode convert => Lower(convert.Source),
        BinaryOperatorNode { OperatorKind: BinaryOperatorKind.And } and => new DeviceFilterAnd(Lower(and.Left), Lower(and.Right)),
        BinaryOperatorNode { OperatorKind: BinaryOperatorKind.Or } or => new DeviceFilterOr(Lower(or.Left), Lower(or.Right)),
        BinaryOperatorNode binary => LowerComparison(binary),
        UnaryOperatorNode { OperatorKind: UnaryOperatorKind.Not } not => new DeviceFilterNot(Lower(not.Operand)),
        SingleValueFunctionCallNode call when call.Name is "startswith" or "contains" => LowerFunction(call),
        SingleValueFunctionCallNode call => throw new InvalidRequestException($"The function '{call.Name}' is not supported in $filter on managedDevices; use startswith or contains."),
        _ => throw new InvalidRequestException($"This $filter expression ({node.Kind}) is not supported on managedDevices; compare a property with a literal (eq ne lt le gt ge), combine with and/or/not, or use startswith/contains."),
    };

    private static DeviceFilter LowerComparison(BinaryOperatorNode binary)
    {
        var op = binary.OperatorKind switch
        {
            BinaryOperatorKind.Equal => DeviceFilterOperator.Equal,
            BinaryOperatorKind.NotEqual => DeviceFilterOperator.NotEqual,
            BinaryOperatorKind.LessThan => DeviceFilterOperator.LessThan,
            BinaryOperatorKind.LessThanOrEqual => DeviceFilterOperator.LessThanOrEqual,
            BinaryOperatorKind.GreaterThan => DeviceFilterOperator.GreaterThan,
            BinaryOperatorKind.GreaterThanOrEqual => DeviceFilterOperator.GreaterThanOrEqual,
            var other => throw new InvalidRequestException($"The operator '{other}' is not supported in $filter on managedDevices; use eq ne lt le gt ge and or not."),
        };

        var (property, constant, flipped) = (Unwrap(binary.Left), Unwrap(binary.Right)) switch
        {
            (SingleValuePropertyAccessNode p, ConstantNode c) => (p, c, false),
            (ConstantNode c, SingleValuePropertyAccessNode p) => (p, c, true),
            _ => throw new InvalidRequestException("Each comparison in $filter must compare a managedDevice property with a literal value, e.g. operatingSystem eq 'Windows'."),
        };

        if (flipped)
        {
            op = op switch
            {
                DeviceFilterOperator.LessThan => DeviceFilterOperator.GreaterThan,
                DeviceFilterOperator.LessThanOrEqual => DeviceFilterOperator.GreaterThanOrEqual,
                DeviceFilterOperator.GreaterThan => DeviceFilterOperator.LessThan,
                DeviceFilterOperator.GreaterThanOrEqual => DeviceFilterOperator.LessThanOrEqual,
                _ => op,
            };
        }

        var field = Field(property);
        if (field is DeviceField.ComplianceState or DeviceField.ManagementState && op is not (DeviceFilterOperator.Equal or DeviceFilterOperator.NotEqual))
        {
            throw new InvalidRequestException($"'{property.Property.Name}' is an enumeration: compare it with eq or ne.");
        }

        return field.IsDate()
            ? new DeviceFilterCompare(field, op, null, DateOf(constant, property.Property.Name))
            : new DeviceFilterCompare(field, op, TextOf(constant), null);
    }

    private static DeviceFilter LowerFunction(SingleValueFunctionCallNode call)
    {
        var arguments = call.Parameters.Select(Unwrap).ToList();
        if (arguments is not [SingleValuePropertyAccessNode property, ConstantNode { Value: string value }])
        {
            throw new InvalidRequestException($"{call.Name}(property, 'text') takes a managedDevice text property and a string literal.");
        }

        var field = Field(property);
        if (field.IsDate())
        {
            throw new InvalidRequestException($"{call.Name} applies to text properties; '{property.Property.Name}' is a date.");
        }

        return new DeviceFilterCompare(field, call.Name == "startswith" ? DeviceFilterOperator.StartsWith : DeviceFilterOperator.Contains, value, null);
    }

    private static QueryNode Unwrap(QueryNode node) => node is ConvertNode convert ? Unwrap(convert.Source) : node;

    private static DeviceField Field(SingleValuePropertyAccessNode property) =>
        FilterableFields.TryGetValue(property.Property.Name, out var field)
            ? field
            : throw new InvalidRequestException($"Filtering on '{property.Property.Name}' is not supported; filterable properties: {string.Join(", ", FilterableFields.Keys)}.");

    private static string? TextOf(ConstantNode constant) => constant.Value switch
    {
        null => null,
        string s => s,
        ODataEnumValue e => EnumMemberName(e),
        var other => throw new InvalidRequestException($"The literal {constant.LiteralText} is not text; quote it, e.g. 'Windows' ({other.GetType().Name} given)."),
    };

    /// <summary>The parser may carry an enum literal as its underlying number; the index compares Graph member names.</summary>
    private static string EnumMemberName(ODataEnumValue value) =>
        long.TryParse(value.Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var number)
        && ManagedDeviceEdm.Model.FindDeclaredType(value.TypeName) is IEdmEnumType type
        && type.Members.FirstOrDefault(m => m.Value.Value == number) is { } member
            ? member.Name
            : value.Value;

    private static DateTimeOffset? DateOf(ConstantNode constant, string property) => constant.Value switch
    {
        null => null,
        DateTimeOffset d => d,
#pragma warning disable CS0618 // ODL 8 still yields Edm.Date for a bare date literal; ODL 9 replaces it with DateOnly.
        Date d => new DateTimeOffset(d.Year, d.Month, d.Day, 0, 0, 0, TimeSpan.Zero),
#pragma warning restore CS0618
        DateOnly d => new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
        _ => throw new InvalidRequestException($"'{property}' is a date: compare it with an unquoted ISO 8601 literal such as 2026-01-31T00:00:00Z."),
    };

    private static DeviceOrder LowerOrder(OrderByClause? clause)
    {
        if (clause is null)
        {
            return DeviceOrder.Id;
        }

        if (clause.ThenBy is not null || clause.Expression is not SingleValuePropertyAccessNode property)
        {
            throw new InvalidRequestException("$orderby on managedDevices takes one property: deviceName or lastSyncDateTime, optionally followed by asc or desc.");
        }

        var descending = clause.Direction == OrderByDirection.Descending;
        return property.Property.Name switch
        {
            "deviceName" => descending ? DeviceOrder.DeviceNameDescending : DeviceOrder.DeviceNameAscending,
            "lastSyncDateTime" => descending ? DeviceOrder.LastSyncDescending : DeviceOrder.LastSyncAscending,
            "id" when !descending => DeviceOrder.Id,
            var other => throw new InvalidRequestException($"Ordering by '{other}' is not supported on managedDevices; order by deviceName or lastSyncDateTime."),
        };
    }

    private static IReadOnlyList<string>? LowerSelect(SelectExpandClause? clause)
    {
        if (clause is null || clause.AllSelected)
        {
            return null;
        }

        var selected = new List<string>();
        foreach (var item in clause.SelectedItems)
        {
            selected.Add(item switch
            {
                PathSelectItem { SelectedPath.FirstSegment: PropertySegment segment } => segment.Property.Name,
                ExpandedNavigationSelectItem => throw new InvalidRequestException("$expand is not supported on managedDevices."),
                _ => throw new InvalidRequestException("$select on managedDevices takes property names, e.g. $select=id,deviceName,complianceState."),
            });
        }

        return selected;
    }

    private sealed record SkipToken(int O, string I, string? N, long S);
}
