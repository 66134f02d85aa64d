using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Intune.ClusterConfig;

/// <summary>
/// The global tenant directory (tenant → scale unit, region, state): one table in a storage
/// account of its own, outside every scale unit (docs/architecture.md §7). Bound from the
/// <c>TenantDirectory</c> section of <c>cluster-config/directory/*.json</c>.
/// </summary>
public sealed class TenantDirectoryOptions
{
    public const string SectionName = "TenantDirectory";

    /// <summary>The directory's own storage account; no scale unit holds these credentials.</summary>
    public string StorageConnectionString { get; set; } = string.Empty;

    public string TableName { get; set; } = "tenantdirectory";

    /// <summary>How long a gateway trusts a cached tenant → unit entry before reading it again.</summary>
    public int CacheSeconds { get; set; } = 30;

    /// <summary>
    /// How long a tenant move waits after marking the tenant moving before it copies: longer than
    /// gateways keep a move mark (<c>TenantMoves:CacheSeconds</c>, 5 by default) plus the longest
    /// a grain holds a write back (a device's delivered set, at most 30 s; summaries and reports,
    /// 5 s), so every gateway holds the tenant's writes and every held-back write has landed by
    /// the time the export reads its rows.
    /// </summary>
    public int MoveDrainSeconds { get; set; } = 40;
}

/// <summary>Rejects a directory file at start with errors that name the bad field.</summary>
public sealed partial class TenantDirectoryOptionsValidator : IValidateOptions<TenantDirectoryOptions>
{
    public ValidateOptionsResult Validate(string? name, TenantDirectoryOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.StorageConnectionString))
        {
            errors.Add("TenantDirectory:StorageConnectionString is required (the directory's own storage account).");
        }

        if (!TableNamePattern().IsMatch(options.TableName))
        {
            errors.Add($"TenantDirectory:TableName '{options.TableName}' must be 3-63 letters or digits, starting with a letter.");
        }

        if (options.CacheSeconds is < 0 or > 3600)
        {
            errors.Add($"TenantDirectory:CacheSeconds {options.CacheSeconds} must be between 0 and 3600.");
        }

        if (options.MoveDrainSeconds is < 0 or > 600)
        {
            errors.Add($"TenantDirectory:MoveDrainSeconds {options.MoveDrainSeconds} must be between 0 and 600.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableNamePattern();
}
