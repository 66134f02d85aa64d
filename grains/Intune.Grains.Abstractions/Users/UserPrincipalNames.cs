namespace Intune.Grains.Users;

/// <summary>
/// What a user principal name may be, wherever one enters (admin API, enrollment): <c>name@domain</c>,
/// at most 113 characters (Entra ID's limit), no whitespace, control characters or
/// <c>/ \ # ? %</c>. Orleans maps <c>/ \ # ?</c> to '_' in grain keys, so without this
/// <c>a/b@x</c> and <c>a_b@x</c> would share one user and its device limit.
/// </summary>
public static class UserPrincipalNames
{
    public const int MaxLength = 113;

    /// <summary>Why <paramref name="value"/> is not a user principal name, or null when it is one.</summary>
    public static string? Problem(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is required";
        }

        if (value.Length > MaxLength)
        {
            return $"is {value.Length} characters long; a userPrincipalName has at most {MaxLength}";
        }

        var at = value.IndexOf('@');
        return at <= 0 || at != value.LastIndexOf('@') || at == value.Length - 1
            || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '\\' or '#' or '?' or '%')
            ? "is not a userPrincipalName (name@domain, without spaces or / \\ # ? %)"
            : null;
    }
}
