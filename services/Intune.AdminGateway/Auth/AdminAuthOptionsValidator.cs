using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Intune.AdminGateway.Auth;

/// <summary>
/// Checks <see cref="AdminAuthOptions"/> at start-up and names the bad field, rather than failing
/// every token later. Outside Development (the local Run and the tests run as Development) it is
/// the production gate: tokens must come from a configured authority with its own issuer and
/// audience, and no symmetric key may be configured, least of all the repository's development
/// key, with which anyone could mint an administrator token for any tenant.
/// </summary>
public sealed class AdminAuthOptionsValidator(IHostEnvironment environment) : IValidateOptions<AdminAuthOptions>
{
    /// <summary>SHA-256 of the key bytes in cluster-config/local/dev-admin-signing-key.txt, which is public.</summary>
    internal const string RepositoryDevelopmentKeySha256 = "38490f6fd879d1c9138e31df2f3806e86e33134ba81a772f186cea28d56c1f9c";

    private const string Section = AdminAuthOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, AdminAuthOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add($"{Section}:{nameof(options.Issuer)} is required.");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add($"{Section}:{nameof(options.Audience)} is required.");
        }

        if (options.Authority is { } authority && !(Uri.TryCreate(authority, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps))
        {
            failures.Add($"{Section}:{nameof(options.Authority)} must be an absolute https URL (got '{authority}').");
        }

        if (options.MaxTokenLifetime < TimeSpan.FromMinutes(5) || options.MaxTokenLifetime > AdminAuthOptions.LongestTokenLifetime)
        {
            failures.Add($"{Section}:{nameof(options.MaxTokenLifetime)} {options.MaxTokenLifetime} must be between 00:05:00 and {AdminAuthOptions.LongestTokenLifetime}.");
        }

        foreach (var algorithm in options.SigningAlgorithms ?? [])
        {
            if (!AdminAuthOptions.AuthorityAlgorithmsAllowed.Contains(algorithm))
            {
                failures.Add($"{Section}:{nameof(options.SigningAlgorithms)} '{algorithm}' is not accepted; use one of {string.Join(", ", AdminAuthOptions.AuthorityAlgorithmsAllowed)}.");
            }
        }

        var key = ReadKey(options, failures);
        if (options.Authority is null && key is null && failures.Count == 0)
        {
            failures.Add($"{Section}:{nameof(options.Authority)} (or, in Development, {Section}:{nameof(options.SigningKeyFile)}) is required: nothing could validate admin tokens.");
        }

        if (!environment.IsDevelopment())
        {
            ProductionRules(options, key, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void ProductionRules(AdminAuthOptions options, byte[]? key, List<string> failures)
    {
        var where = $"outside Development (environment '{environment.EnvironmentName}')";
        if (options.Authority is null)
        {
            failures.Add($"{Section}:{nameof(options.Authority)} is required {where}: admin tokens must come from your identity provider.");
        }

        if (options.Issuer == AdminAuthOptions.DevelopmentIssuer)
        {
            failures.Add($"{Section}:{nameof(options.Issuer)} '{options.Issuer}' is the development issuer; {where} set the identity provider's issuer.");
        }

        if (key is not null && Convert.ToHexStringLower(SHA256.HashData(key)) == RepositoryDevelopmentKeySha256)
        {
            failures.Add($"{Section}:{nameof(options.SigningKey)}/{nameof(options.SigningKeyFile)} is the repository's development key, which is public: {where} anyone could sign administrator tokens with it. Remove it (e.g. AdminAuth__SigningKeyFile=\"\").");
        }
        else if (!string.IsNullOrWhiteSpace(options.SigningKey) || !string.IsNullOrWhiteSpace(options.SigningKeyFile))
        {
            failures.Add($"{Section}:{nameof(options.SigningKey)}/{nameof(options.SigningKeyFile)} is set: {where} tokens are signed by {Section}:{nameof(options.Authority)} only; remove the symmetric key.");
        }
    }

    /// <summary>The configured symmetric key's bytes (null when none or unreadable, the latter reported).</summary>
    private byte[]? ReadKey(AdminAuthOptions options, List<string> failures)
    {
        if (!string.IsNullOrWhiteSpace(options.SigningKey))
        {
            var bytes = new byte[options.SigningKey.Length];
            if (!Convert.TryFromBase64String(options.SigningKey.Trim(), bytes, out var length) || length < 32)
            {
                failures.Add($"{Section}:{nameof(options.SigningKey)} must be base64 of at least 256 bits.");
                return null;
            }

            return bytes[..length];
        }

        if (string.IsNullOrWhiteSpace(options.SigningKeyFile))
        {
            return null;
        }

        try
        {
            return options.ResolveSigningKey(environment.ContentRootPath)?.Key;
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            failures.Add($"{Section}:{nameof(options.SigningKeyFile)} cannot be read as a base64 key: {e.Message}");
            return null;
        }
    }
}
