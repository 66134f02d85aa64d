using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Intune.AdminGateway.AdminCenter;

/// <summary>Checks the <c>AdminCenter</c> section at start-up and names the bad field, rather than serving a broken sign-in page.</summary>
internal sealed class AdminCenterOptionsValidator(IHostEnvironment environment) : IValidateOptions<AdminCenterOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminCenterOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.RootPath))
        {
            var path = Path.GetFullPath(options.RootPath, environment.ContentRootPath);
            if (!File.Exists(Path.Combine(path, "index.html")))
            {
                failures.Add($"{AdminCenterOptions.SectionName}:{nameof(options.RootPath)} '{path}' holds no index.html; build the admin center there or unset the option.");
            }
        }

        if (options.ClientId is { } clientId && string.IsNullOrWhiteSpace(clientId))
        {
            failures.Add($"{AdminCenterOptions.SectionName}:{nameof(options.ClientId)} is blank; give the authority's client id or unset it.");
        }

        if (string.IsNullOrWhiteSpace(options.Scope))
        {
            failures.Add($"{AdminCenterOptions.SectionName}:{nameof(options.Scope)} is required (e.g. 'openid profile').");
        }

        if (!options.RedirectPath.StartsWith('/') || options.RedirectPath.StartsWith("//", StringComparison.Ordinal))
        {
            failures.Add($"{AdminCenterOptions.SectionName}:{nameof(options.RedirectPath)} '{options.RedirectPath}' must be a path on this origin starting with '/'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
