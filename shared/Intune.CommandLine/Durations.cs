using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Intune.CommandLine;

/// <summary>
/// Durations as people type them: <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>250ms</c>, <c>1.5h</c>, <c>2d</c>,
/// or a .NET time span <c>00:05:00</c> / <c>1.02:00:00</c>. Negative durations are refused.
/// </summary>
public static class Durations
{
    /// <summary>How a duration option shows its value in <c>--help</c>.</summary>
    public const string HelpName = "30s|5m|1h30m|00:05:00";

    private static readonly (string Suffix, long TicksPerUnit)[] Units =
    [
        ("ms", TimeSpan.TicksPerMillisecond),
        ("d", TimeSpan.TicksPerDay),
        ("h", TimeSpan.TicksPerHour),
        ("m", TimeSpan.TicksPerMinute),
        ("s", TimeSpan.TicksPerSecond),
    ];

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || text.StartsWith('-'))
        {
            return false;
        }

        if (text.Contains(':'))
        {
            return TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out value);
        }

        if (text == "0")
        {
            return true;
        }

        decimal ticks = 0;
        var position = 0;
        while (position < text.Length)
        {
            var start = position;
            while (position < text.Length && (char.IsAsciiDigit(text[position]) || text[position] == '.'))
            {
                position++;
            }

            if (position == start || !decimal.TryParse(text.AsSpan(start, position - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }

            var unit = Units.FirstOrDefault(u => text.AsSpan(position).StartsWith(u.Suffix, StringComparison.Ordinal));
            if (unit.Suffix is null)
            {
                return false;
            }

            position += unit.Suffix.Length;
            ticks += amount * unit.TicksPerUnit;
            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }
        }

        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException(Invalid(text));

    /// <summary>A duration option: <c>--help</c> shows the accepted form, a bad value is a usage error naming it.</summary>
    public static Option<TimeSpan> Option(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = description,
        HelpName = HelpName,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseArgument(result) ?? defaultValue,
    };

    /// <summary>An optional duration option (null when absent).</summary>
    public static Option<TimeSpan?> OptionalOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = HelpName,
        CustomParser = ParseArgument,
    };

    private static TimeSpan? ParseArgument(ArgumentResult result)
    {
        var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(' ', result.Tokens.Select(t => t.Value));
        if (TryParse(token, out var value))
        {
            return value;
        }

        result.AddError($"{Invalid(token)} ({(result.Parent as OptionResult)?.Option.Name ?? "duration"})");
        return null;
    }

    private static string Invalid(string text) =>
        $"'{text}' is not a duration: use a number with a unit (30s, 5m, 1h30m, 250ms, 2d) or hh:mm:ss (00:05:00).";
}
