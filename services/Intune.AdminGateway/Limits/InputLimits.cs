using Intune.Grains.Errors;
using Intune.Grains.Users;

namespace Intune.AdminGateway.Limits;

/// <summary>
/// The admin API's input limits, one place for both fronts (the application services check them,
/// so REST answers 400 in Graph's envelope and gRPC <c>InvalidArgument</c>, each naming the field
/// and the limit). Values follow Microsoft Graph's own where it has them; docs/security.md lists them.
/// </summary>
public static class InputLimits
{
    /// <summary>Graph's limit for a group's displayName; used for every display name.</summary>
    public const int MaxDisplayName = 256;

    /// <summary>Descriptions of groups, policies, roles and configurations (Graph: 1,024 for groups).</summary>
    public const int MaxDescription = 1_024;

    /// <summary>A managed device's notes.</summary>
    public const int MaxNotes = 1_024;

    /// <summary>Entra ID's limit for a userPrincipalName.</summary>
    public const int MaxUserPrincipalName = UserPrincipalNames.MaxLength;

    /// <exception cref="InvalidRequestException">The value is longer than <paramref name="max"/> or holds control characters.</exception>
    public static string? Text(string? value, string field, int max)
    {
        if (value is not null)
        {
            InputText.Check(value, field, max);
        }

        return value;
    }

    /// <summary>A user principal name by <see cref="UserPrincipalNames"/>' rules.</summary>
    /// <exception cref="InvalidRequestException">Not such a name.</exception>
    public static string UserPrincipalName(string? value, string field = "userPrincipalName") =>
        UserPrincipalNames.Problem(value) is { } problem
            ? throw new InvalidRequestException($"'{field}' '{Shown(value ?? string.Empty)}' {problem}.", field)
            : value!;

    /// <summary>A value echoed in an error, cut so a huge input does not make a huge answer.</summary>
    private static string Shown(string value) => value.Length > 64 ? value[..64] + "…" : value;
}
