using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Intune.ClusterConfig;

/// <summary>
/// Where <c>intune-ops backup</c> keeps backups and for how long (the <c>Backup</c> section of the
/// topology file). The account is one of its own: a backup must survive the loss of the unit's
/// account, so no unit and not the tenant directory may share it.
/// </summary>
public sealed class BackupOptions
{
    public const string SectionName = "Backup";

    public string StorageConnectionString { get; set; } = string.Empty;

    /// <summary>The blob container holding every backup (one folder per backup).</summary>
    public string Container { get; set; } = "intunebackups";

    /// <summary>Complete backups kept per scale unit; <c>backup create</c> deletes older ones beyond this count.</summary>
    public int KeepCount { get; set; } = 7;

    /// <summary>Backups older than this many days are deleted by <c>backup create</c> (the newest is always kept).</summary>
    public int KeepDays { get; set; } = 30;

    /// <summary>Rows per chunk file: each chunk is written, hashed and verified on its own.</summary>
    public int ChunkRows { get; set; } = 2000;
}

/// <summary>Rejects a <c>Backup</c> section with errors that name the bad field.</summary>
public sealed partial class BackupOptionsValidator : IValidateOptions<BackupOptions>
{
    public ValidateOptionsResult Validate(string? name, BackupOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.StorageConnectionString))
        {
            errors.Add("Backup:StorageConnectionString is required (a storage account of the backups' own).");
        }

        if (!ContainerName().IsMatch(options.Container))
        {
            errors.Add($"Backup:Container '{options.Container}' must be 3-63 lowercase letters, digits or dashes, starting with a letter or digit.");
        }

        if (options.KeepCount < 1)
        {
            errors.Add($"Backup:KeepCount {options.KeepCount} must be at least 1.");
        }

        if (options.KeepDays < 1)
        {
            errors.Add($"Backup:KeepDays {options.KeepDays} must be at least 1.");
        }

        if (options.ChunkRows is < 1 or > 100_000)
        {
            errors.Add($"Backup:ChunkRows {options.ChunkRows} must be between 1 and 100000.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{2,62}$")]
    private static partial Regex ContainerName();
}
