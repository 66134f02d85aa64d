using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Intune.AdminGateway.Auth;

/// <summary>Checks <see cref="AdminAuthOptions"/> at start-up and names the bad field, rather than failing every token later.</summary>
public sealed class AdminAuthOptionsValidator(IHostEnvironment environment) : IValidateOptions<AdminAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminAuthOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add($"{AdminAuthOptions.SectionName}:{nameof(options.Issuer)} is required.");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add($"{AdminAuthOptions.SectionName}:{nameof(options.Audience)} is required.");
        }

        if (options.Authority is { } authority && !(Uri.TryCreate(authority, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps))
        {
            failures.Add($"{AdminAuthOptions.SectionName}:{nameof(options.Authority)} must be an absolute https URL (got '{authority}').");
        }

        if (!string.IsNullOrWhiteSpace(options.SigningKey))
        {
            var bytes = new byte[options.SigningKey.Length];
            if (!Convert.TryFromBase64String(options.SigningKey.Trim(), bytes, out var length) || length < 32)
            {
                failures.Add($"{AdminAuthOptions.SectionName}:{nameof(options.SigningKey)} must be base64 of at least 256 bits.");
            }
        }
        else if (options.Authority is null && !string.IsNullOrWhiteSpace(options.SigningKeyFile))
        {
            try
            {
                options.ResolveSigningKey(environment.ContentRootPath);
            }
            catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
            {
                failures.Add($"{AdminAuthOptions.SectionName}:{nameof(options.SigningKeyFile)} cannot be read as a base64 key: {e.Message}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
