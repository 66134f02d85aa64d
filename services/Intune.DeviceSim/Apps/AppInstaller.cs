using System.Security.Cryptography;
using Intune.Device.V1;

namespace Intune.DeviceSim.Apps;

/// <summary>
/// What a device agent does with the app instructions of a check-in (<c>intune-devicesim run --apps</c>):
/// downloads a line-of-business package from its short-lived URL, checks the MAC over IV ‖ ciphertext,
/// decrypts it and compares the SHA-256 of the content with the digest it was given — a package that
/// fails any check is not "installed" but reported failed with <see cref="VerificationFailed"/>.
/// Store apps are taken as installed by the store. Each app is carried out once per version.
/// </summary>
public sealed class AppInstaller(HttpClient http)
{
    /// <summary>The error a device reports for a package that does not match what it was told (Intune's hash-mismatch code).</summary>
    public const int VerificationFailed = unchecked((int)0x87D1041A);

    /// <summary>A download that did not complete (the URL expired, the storage refused).</summary>
    public const int DownloadFailed = unchecked((int)0x87D30065);

    private readonly Dictionary<string, int> _done = new(StringComparer.Ordinal);

    private readonly Dictionary<string, DetectedApp> _inventory = new(StringComparer.Ordinal);

    /// <summary>App id → content, of the packages installed (for tests and the summary).</summary>
    public Dictionary<string, byte[]> Installed { get; } = new(StringComparer.Ordinal);

    /// <summary>Moves whenever the set of installed apps changes, so the device sends its inventory only then.</summary>
    public int InventoryVersion { get; private set; }

    /// <summary>What the device's inventory reports: every app it installed, store apps included.</summary>
    public IEnumerable<DetectedApp> Inventory() => _inventory.Values;

    public async Task<IReadOnlyList<AppInstallReport>> CarryOutAsync(IEnumerable<AppInstruction> instructions, CancellationToken cancellationToken = default)
    {
        var reports = new List<AppInstallReport>();
        foreach (var app in instructions)
        {
            if (app.Action is AppAction.Available or AppAction.Conflict || _done.GetValueOrDefault(app.AppId) == Key(app))
            {
                continue;
            }

            var (state, error) = app.Action == AppAction.Uninstall ? Uninstall(app) : await InstallAsync(app, cancellationToken);
            _done[app.AppId] = Key(app);
            if (state == AppInstallState.Installed)
            {
                _inventory[app.AppId] = new DetectedApp { DisplayName = app.DisplayName, Version = app.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), SizeInByte = app.Size };
                InventoryVersion++;
            }
            else if (_inventory.Remove(app.AppId))
            {
                InventoryVersion++;
            }

            reports.Add(new AppInstallReport { AppId = app.AppId, State = state, ErrorCode = error });
        }

        return reports;
    }

    private static int Key(AppInstruction app) => (app.Version * 4) + (int)app.Action;

    private (AppInstallState, int) Uninstall(AppInstruction app)
    {
        Installed.Remove(app.AppId);
        return (AppInstallState.NotInstalled, 0);
    }

    private async Task<(AppInstallState, int)> InstallAsync(AppInstruction app, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(app.DownloadUrl))
        {
            // A store app: the platform's store installs it by its identifier.
            return string.IsNullOrEmpty(app.StoreIdentifier) ? (AppInstallState.Failed, DownloadFailed) : (AppInstallState.Installed, 0);
        }

        byte[] package;
        try
        {
            package = await http.GetByteArrayAsync(app.DownloadUrl, cancellationToken);
        }
        catch (HttpRequestException)
        {
            return (AppInstallState.Failed, DownloadFailed);
        }

        if (Open(package, app) is not { } content)
        {
            return (AppInstallState.Failed, VerificationFailed);
        }

        Installed[app.AppId] = content;
        return (AppInstallState.Installed, 0);
    }

    /// <summary>The package's content when its length, MAC and digest are what the instruction says; null otherwise.</summary>
    public static byte[]? Open(byte[] package, AppInstruction app)
    {
        const int header = 32 + 16;
        if (package.Length != app.SizeEncrypted || package.Length < header)
        {
            return null;
        }

        var signed = package.AsSpan(32);
        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(app.MacKey.Span, signed), package.AsSpan(0, 32)))
        {
            return null;
        }

        try
        {
            using var aes = Aes.Create();
            aes.Key = app.EncryptionKey.ToByteArray();
            var content = aes.DecryptCbc(signed[16..], signed[..16], PaddingMode.PKCS7);
            return content.Length == app.Size && CryptographicOperations.FixedTimeEquals(SHA256.HashData(content), app.FileDigest.Span) ? content : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
