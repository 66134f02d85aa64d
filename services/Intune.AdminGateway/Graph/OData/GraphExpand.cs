using Intune.Grains.Errors;

namespace Intune.AdminGateway.Graph.OData;

/// <summary>
/// <c>$expand</c> as admin tools send it, nested options included:
/// <c>scheduledActionsForRule($expand=scheduledActionConfigurations),assignments</c>. A resource
/// declares which navigation properties it expands and, for each, which ones may be expanded
/// inside it; anything else (a name, a nested option, a nested name) is a 400 naming it.
/// </summary>
public static class GraphExpand
{
    /// <summary>The names to expand. <paramref name="allowed"/>: navigation property → the names its nested <c>$expand</c> may hold.</summary>
    public static IReadOnlySet<string> Parse(string? expand, IReadOnlyDictionary<string, string[]> allowed, string resource)
    {
        var expanded = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(expand))
        {
            return expanded;
        }

        foreach (var item in SplitTopLevel(expand, ','))
        {
            var open = item.IndexOf('(', StringComparison.Ordinal);
            var name = (open < 0 ? item : item[..open]).Trim();
            if (!allowed.TryGetValue(name, out var nestedAllowed))
            {
                throw new InvalidRequestException($"$expand={name} is not supported on {resource}; supported: {string.Join(", ", allowed.Keys)}.", "$expand");
            }

            if (open >= 0)
            {
                if (!item.EndsWith(')'))
                {
                    throw new InvalidRequestException($"$expand item '{item}' has an unclosed '('.", "$expand");
                }

                foreach (var option in SplitTopLevel(item[(open + 1)..^1], ';'))
                {
                    var equals = option.IndexOf('=', StringComparison.Ordinal);
                    var key = (equals < 0 ? option : option[..equals]).Trim();
                    if (!string.Equals(key, "$expand", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new InvalidRequestException($"The nested option '{key}' in $expand={name}(…) is not supported; only $expand is.", "$expand");
                    }

                    foreach (var inner in SplitTopLevel(option[(equals + 1)..], ','))
                    {
                        if (!nestedAllowed.Contains(inner.Trim(), StringComparer.Ordinal))
                        {
                            throw new InvalidRequestException(nestedAllowed.Length == 0
                                ? $"{name} has nothing to expand inside it; drop '({option})'."
                                : $"$expand={name}($expand={inner.Trim()}) is not supported; inside {name} expand {string.Join(", ", nestedAllowed)}.", "$expand");
                        }
                    }
                }
            }

            expanded.Add(name);
        }

        return expanded;
    }

    /// <summary>Splits at <paramref name="separator"/> outside parentheses; empty parts are dropped.</summary>
    private static IEnumerable<string> SplitTopLevel(string text, char separator)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || (text[i] == separator && depth == 0))
            {
                var part = text[start..i].Trim();
                if (part.Length > 0)
                {
                    yield return part;
                }

                start = i + 1;
                continue;
            }

            depth += text[i] switch
            {
                '(' => 1,
                ')' => -1,
                _ => 0,
            };
            if (depth < 0)
            {
                throw new InvalidRequestException($"$expand '{text}' has an unmatched ')'.", "$expand");
            }
        }

        if (depth != 0)
        {
            throw new InvalidRequestException($"$expand '{text}' has an unclosed '('.", "$expand");
        }
    }
}
