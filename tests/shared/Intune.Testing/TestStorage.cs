using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Intune.Testing;

/// <summary>
/// The real Azure Storage emulator the integration tests run against. The build starts one and
/// passes its connection string in <c>INTUNE_TEST_STORAGE</c>. Without it a developer's run
/// starts Azurite from the repository's node_modules; under <c>CI=true</c> a missing Azurite
/// fails the tests instead of skipping them.
/// </summary>
public static class TestStorage
{
    private const string Account = "devstoreaccount1";
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly Lazy<string> Connection = new(Resolve, LazyThreadSafetyMode.ExecutionAndPublication);
    private static Process? _ownAzurite;

    public static string ConnectionString => Connection.Value;

    /// <summary>
    /// The connection string of another account of the same Azurite (na01, eu01, directory: the
    /// local topology's accounts, from <c>cluster-config/local/azurite-accounts.txt</c>), so
    /// tests can give each scale unit and the directory storage of its own.
    /// </summary>
    public static string ConnectionStringFor(string account)
    {
        var key = AccountKeys.Value.TryGetValue(account, out var found)
            ? found
            : throw new ArgumentException($"Azurite account '{account}' is not in cluster-config/local/azurite-accounts.txt.", nameof(account));
        var parts = ConnectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        static string Endpoint(string url, string account) => new Uri(new Uri(url), "/" + account).ToString();
        return $"DefaultEndpointsProtocol=http;AccountName={account};AccountKey={key};" +
               $"BlobEndpoint={Endpoint(parts["BlobEndpoint"], account)};QueueEndpoint={Endpoint(parts["QueueEndpoint"], account)};TableEndpoint={Endpoint(parts["TableEndpoint"], account)};";
    }

    /// <summary>The Azurite <c>AZURITE_ACCOUNTS</c> value the build and the tests start Azurite with.</summary>
    public static string AzuriteAccounts => File.ReadAllText(FindUpwards(AccountsFile)
        ?? throw new InvalidOperationException($"{AccountsFile} was not found above {AppContext.BaseDirectory}.")).Trim();

    private const string AccountsFile = "cluster-config/local/azurite-accounts.txt";

    private static readonly Lazy<Dictionary<string, string>> AccountKeys = new(() => AzuriteAccounts
        .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(entry => entry.Split(':', 2))
        .ToDictionary(entry => entry[0], entry => entry[1], StringComparer.Ordinal));

    /// <summary>A table/container prefix no other test class uses: lowercase letter + 11 hex digits.</summary>
    public static string UniquePrefix() => "t" + Guid.NewGuid().ToString("N")[..11];

    private static string Resolve()
    {
        if (Environment.GetEnvironmentVariable("INTUNE_TEST_STORAGE") is { Length: > 0 } configured)
        {
            return configured;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("INTUNE_TEST_STORAGE is not set: under CI the build must start Azurite (./build.sh --target=Test).");
        }

        return StartOwnAzurite();
    }

    private static string StartOwnAzurite()
    {
        var script = FindUpwards("node_modules/azurite/dist/src/azurite.js")
            ?? throw new InvalidOperationException("Azurite is not installed: run 'npm ci' at the repository root, or run tests with ./build.sh --target=Test.");
        int blob = FreeTcpPort(), queue = FreeTcpPort(), table = FreeTcpPort();
        _ownAzurite = Process.Start(new ProcessStartInfo("node",
            $"\"{script}\" --blobHost 127.0.0.1 --blobPort {blob} --queueHost 127.0.0.1 --queuePort {queue} --tableHost 127.0.0.1 --tablePort {table} --skipApiVersionCheck --disableTelemetry --silent --loose --inMemoryPersistence")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["AZURITE_ACCOUNTS"] = AzuriteAccounts },
        }) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => _ownAzurite?.Kill(entireProcessTree: true);

        // Azurite announces each service on stdout; the table service starts last.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            string? line;
            try
            {
                line = _ownAzurite.StandardOutput.ReadLineAsync(timeout.Token).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                throw new InvalidOperationException($"Azurite did not start on ports {blob}/{table} within 30 s.");
            }

            if (line is null)
            {
                throw new InvalidOperationException($"Azurite exited at start: {_ownAzurite.StandardError.ReadToEnd()}");
            }

            if (line.Contains("Table service is successfully listening", StringComparison.Ordinal))
            {
                break;
            }
        }

        return $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={Key};" +
               $"BlobEndpoint=http://127.0.0.1:{blob}/{Account};QueueEndpoint=http://127.0.0.1:{queue}/{Account};TableEndpoint=http://127.0.0.1:{table}/{Account};";
    }

    // Ports handed out in this process: the OS may offer a released port again before whoever
    // asked for it has bound it, which gave one host the same silo and gateway port.
    private static readonly HashSet<int> HandedOut = [];

    public static int FreeTcpPort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }

    private static string? FindUpwards(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
