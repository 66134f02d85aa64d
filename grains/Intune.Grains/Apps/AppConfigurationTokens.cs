using System.Security;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Intune.Grains.Apps;

/// <summary>
/// Intune's app-configuration token variables (<c>{{userprincipalname}}</c>, <c>{{deviceid}}</c>, …)
/// replaced with one device's values. JSON is rewritten string value by string value and XML values
/// are escaped, so a device name with quotes or angle brackets cannot break the payload. An unknown
/// or unset token is left as written, as Intune leaves it. Pure: tested without a cluster.
/// </summary>
public static partial class AppConfigurationTokens
{
    [GeneratedRegex(@"\{\{([a-zA-Z]+)\}\}")]
    private static partial Regex Token();

    /// <summary>The token values of one device (null: the device has no such value).</summary>
    public static IReadOnlyDictionary<string, string?> For(string deviceId, string deviceName, string? userPrincipalName, string? serialNumber, string? imei) =>
        new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["deviceid"] = deviceId,
            ["devicename"] = deviceName,
            ["userprincipalname"] = userPrincipalName,
            ["mail"] = userPrincipalName,
            ["partialupn"] = userPrincipalName?.Split('@')[0],
            ["username"] = userPrincipalName?.Split('@')[0],
            ["serialnumber"] = string.IsNullOrEmpty(serialNumber) ? null : serialNumber,
            ["imei"] = string.IsNullOrEmpty(imei) ? null : imei,
        };

    public static string Text(string text, IReadOnlyDictionary<string, string?> values, Func<string, string>? escape = null) =>
        Token().Replace(text, m => values.TryGetValue(m.Groups[1].Value, out var value) && value is not null ? (escape ?? (v => v))(value) : m.Value);

    public static string Xml(string xml, IReadOnlyDictionary<string, string?> values) => Text(xml, values, v => SecurityElement.Escape(v)!);

    public static string Json(string json, IReadOnlyDictionary<string, string?> values)
    {
        var node = JsonNode.Parse(json);
        return Replace(node, values)?.ToJsonString() ?? "null";
    }

    private static JsonNode? Replace(JsonNode? node, IReadOnlyDictionary<string, string?> values)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    obj[key] = Replace(obj[key]?.DeepClone(), values);
                }

                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    array[i] = Replace(array[i]?.DeepClone(), values);
                }

                return array;
            case JsonValue value when value.TryGetValue<string>(out var text):
                return JsonValue.Create(Text(text, values));
            default:
                return node;
        }
    }
}
