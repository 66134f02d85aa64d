namespace Intune.Grains.Errors;

/// <summary>
/// The rule for free text any front accepts (admin names and notes, what a device reports): at
/// most a given length and no control characters other than tab, CR and LF. One rule, so the
/// admin API and the device protocol refuse the same text with the same words.
/// </summary>
public static class InputText
{
    /// <exception cref="InvalidRequestException">The value is longer than <paramref name="max"/> or holds control characters; names <paramref name="field"/>.</exception>
    public static void Check(string value, string field, int max)
    {
        if (value.Length > max)
        {
            throw new InvalidRequestException($"'{field}' is {value.Length} characters long; the limit is {max}.", field);
        }

        if (value.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            throw new InvalidRequestException($"'{field}' holds control characters.", field);
        }
    }
}
