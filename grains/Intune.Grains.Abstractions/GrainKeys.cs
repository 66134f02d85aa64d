namespace Intune.Grains;

/// <summary>
/// Builds and parses the compound keys of tenant-scoped grains. Every key starts with the
/// tenant id so no grain spans tenants (docs/architecture.md §2).
/// </summary>
public static class GrainKeys
{
    public const char Separator = '/';

    public static string Scoped(string tenantId, string id) => $"{tenantId}{Separator}{id}";

    public static (string TenantId, string Id) Split(string key)
    {
        var at = key.IndexOf(Separator);
        if (at <= 0 || at == key.Length - 1)
        {
            throw new ArgumentException($"Grain key '{key}' is not of the form tenantId/id.", nameof(key));
        }

        return (key[..at], key[(at + 1)..]);
    }
}
