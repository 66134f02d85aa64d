// Build tasks for Intune.Cluster. Run through ./build.sh, which restores the tools first.
using System.Net;
using System.Net.Sockets;
using System.Xml.Linq;

var target = Argument("target", "Build");
var configuration = Argument("configuration", "Debug");
var solution = "./Intune.Cluster.sln";
var artifacts = MakeAbsolute(Directory("./artifacts"));
var azuriteScript = MakeAbsolute(File("./node_modules/azurite/dist/src/azurite.js"));
var adminCenter = MakeAbsolute(Directory("./services/Intune.AdminCenter"));

// Azurite's well-known development account (public, documented by Microsoft).
const string DevAccount = "devstoreaccount1";
const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
// The local topology's accounts (one per scale unit, one for the tenant directory, plus the
// development account above, which AZURITE_ACCOUNTS would otherwise disable).
var azuriteAccounts = System.IO.File.ReadAllText("cluster-config/local/azurite-accounts.txt").Trim();

Task("Clean").Does(() =>
{
    CleanDirectory(artifacts);
    DotNetClean(solution, new DotNetCleanSettings { Configuration = configuration, Verbosity = DotNetVerbosity.Quiet });
});

Task("AdminCenter")
    .Description("Builds the admin center (React + Fluent UI, Vite) into services/Intune.AdminCenter/dist, which the admin gateway serves under /.")
    .Does(() =>
{
    RequireNode();
    var built = adminCenter.CombineWithFilePath("dist/index.html").FullPath;
    if (System.IO.File.Exists(built) && AdminCenterSources().All(f => System.IO.File.GetLastWriteTimeUtc(f) < System.IO.File.GetLastWriteTimeUtc(built)))
    {
        Information("Admin center is up to date.");
        return;
    }

    Npm("run build --workspace services/Intune.AdminCenter", "The admin center did not build (npm run build)");
});

Task("AdminCenterLint")
    .Description("Type-checks (tsc --noEmit) and lints (eslint) the admin center.")
    .Does(() =>
{
    RequireNode();
    Npm("run lint --workspace services/Intune.AdminCenter", "The admin center has type or lint errors (npm run lint)");
});

Task("Chromium")
    .Description("Installs Debian's chromium for the admin center's browser tests when it is missing (apt-get; the build runs as root in CI).")
    .Does(() =>
{
    if (System.IO.File.Exists("/usr/bin/chromium"))
    {
        return;
    }

    Information("Installing chromium (apt-get install -y chromium) for the admin center's browser tests...");
    EnsureDirectoryExists(artifacts);
    var exit = StartProcess("bash", new ProcessSettings
    {
        Arguments = "-c \"(apt-get install -y -q chromium || (apt-get update -q && apt-get install -y -q chromium)) > artifacts/chromium-install.log 2>&1\"",
    });
    if (exit != 0 || !System.IO.File.Exists("/usr/bin/chromium"))
    {
        throw new Exception("Chromium is missing and could not be installed (see artifacts/chromium-install.log): run 'apt-get install -y chromium' as root.");
    }
});

Task("Build")
    .IsDependentOn("AdminCenter")
    .Does(() =>
{
    DotNetBuild(solution, new DotNetBuildSettings { Configuration = configuration, Verbosity = DotNetVerbosity.Minimal });
});

Task("Format")
    .Description("Fails when code is not formatted as .editorconfig says (dotnet format --verify-no-changes).")
    .IsDependentOn("Build")
    .Does(() =>
{
    var exit = StartProcess("dotnet", new ProcessSettings
    {
        Arguments = $"format {solution} --verify-no-changes --no-restore --verbosity quiet",
    });
    if (exit != 0)
    {
        throw new Exception("Formatting differs from .editorconfig: run 'dotnet format Intune.Cluster.sln' and commit the result.");
    }
});

Task("Test")
    .Description("Unit and integration tests against a fresh in-memory Azurite; prints 'Tests: N passed, N failed, N skipped' last.")
    .IsDependentOn("Format")
    .IsDependentOn("AdminCenterLint")
    .IsDependentOn("Chromium")
    .Does(() =>
{
    var results = artifacts.Combine("test-results");
    EnsureDirectoryExists(results);
    CleanDirectory(results);

    var azurite = StartAzurite(inMemory: true, location: null, FreePort(), FreePort(), FreePort());
    var failedRuns = new List<string>();
    try
    {
        Information($"Azurite on blob {azurite.BlobPort}, table {azurite.TablePort}");
        foreach (var project in GetFiles("./tests/**/*.Tests.csproj").OrderBy(p => p.FullPath))
        {
            var name = project.GetFilenameWithoutExtension().ToString();
            var settings = new DotNetTestSettings
            {
                Configuration = configuration,
                NoBuild = true,
                NoRestore = true,
                ResultsDirectory = results,
                Loggers = new[] { $"trx;LogFileName={name}.trx", "console;verbosity=minimal" },
                EnvironmentVariables = new Dictionary<string, string>
                {
                    ["INTUNE_TEST_STORAGE"] = azurite.ConnectionString,
                },
            };
            try
            {
                DotNetTest(project.FullPath, settings);
            }
            catch (Exception ex)
            {
                failedRuns.Add($"{name}: {ex.Message}");
            }
        }
    }
    finally
    {
        StopProcess(azurite.Process);
    }

    var (passed, failed, skipped) = SumTrx(results);
    System.IO.File.WriteAllText(artifacts.CombineWithFilePath("summary.txt").FullPath, $"Tests: {passed} passed, {failed} failed, {skipped} skipped{Environment.NewLine}");
    if (failed > 0 || failedRuns.Count > 0)
    {
        throw new Exception($"Tests failed: {string.Join("; ", failedRuns)}");
    }
});

Task("Run")
    .Description("Starts Azurite (data under .data/) and the local scale unit with both gateways; Ctrl-C stops everything.")
    .IsDependentOn("Build")
    .Does(() =>
{
    var data = MakeAbsolute(Directory("./.data/azurite"));
    EnsureDirectoryExists(data);
    foreach (var port in new[] { 10000, 10002 })
    {
        if (!PortIsFree(port))
        {
            throw new Exception($"Port {port} is in use: stop the other Azurite (or whatever holds it) and run again.");
        }
    }

    // Ctrl-C goes to the terminal's foreground process group: Cake and the silo. Azurite runs in a
    // session of its own so it keeps serving while the silo shuts down (leaves the membership table,
    // flushes state); only then is it stopped, with SIGINT so it saves its files.
    Console.CancelKeyPress += (_, e) => e.Cancel = true; // keep Cake alive until the silo has stopped
    var azurite = StartAzurite(inMemory: false, location: data.FullPath, 10000, 10001, 10002, ownSession: true);
    try
    {
        var silo = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", $"services/Intune.Silo/bin/{configuration}/net10.0/intune-silo.dll")
        {
            WorkingDirectory = MakeAbsolute(Directory(".")).FullPath,
            // The local default signs admin tokens with the repository's development key, which only Development accepts.
            Environment = { ["DOTNET_ENVIRONMENT"] = "Development" },
        });
        silo.WaitForExit();
        Information($"Silo stopped (exit {silo.ExitCode}); stopping Azurite.");
    }
    finally
    {
        StopGracefully(azurite.Process);
    }
});

Task("Chaos")
    .Description("Recovery scenarios at a larger size (tests of Category=Chaos): catastrophic loss and restore, backup while writing; writes their figures into docs/reliability.json. Then the device-listing cold start at 100,000 devices (40,000 in Test).")
    .IsDependentOn("Build")
    .Does(() =>
{
    var azurite = StartAzurite(inMemory: true, location: null, FreePort(), FreePort(), FreePort());
    try
    {
        DotNetTest("./tests/services/Intune.Ops.Tests/Intune.Ops.Tests.csproj", new DotNetTestSettings
        {
            Configuration = configuration,
            NoBuild = true,
            NoRestore = true,
            Filter = "Category=Chaos",
            Loggers = new[] { "console;verbosity=normal" },
            EnvironmentVariables = new Dictionary<string, string>
            {
                ["INTUNE_TEST_STORAGE"] = azurite.ConnectionString,
                ["INTUNE_CHAOS_FULL"] = "1",
                ["INTUNE_RELIABILITY_OUTPUT"] = MakeAbsolute(File("docs/reliability.json")).FullPath,
            },
        });
        DotNetTest("./tests/services/Intune.AdminGateway.Tests/Intune.AdminGateway.Tests.csproj", new DotNetTestSettings
        {
            Configuration = configuration,
            NoBuild = true,
            NoRestore = true,
            Filter = "FullyQualifiedName~ManagedDeviceColdStartTests",
            Loggers = new[] { "console;verbosity=normal" },
            EnvironmentVariables = new Dictionary<string, string>
            {
                ["INTUNE_TEST_STORAGE"] = azurite.ConnectionString,
                ["INTUNE_COLDSTART_DEVICES"] = "100000",
            },
        });
    }
    finally
    {
        StopProcess(azurite.Process);
    }
});

Task("Bench")
    .Description("System benchmarks beside their same-run ceilings; writes docs/benchmarks.md and docs/benchmarks-<profile>.json. --profile=quick|full")
    .Does(() =>
{
    var profile = Argument("profile", "quick");
    // --scenarios=transport: enrollment, the transport ladder and the check-ins only.
    var scenarios = Argument("scenarios", string.Empty);
    DotNetBuild("./tests/benchmarks/Intune.Benchmarks/Intune.Benchmarks.csproj", new DotNetBuildSettings { Configuration = "Release", Verbosity = DotNetVerbosity.Minimal });
    // Azurite keeps entities in memory (~2 KB each); the full profile holds millions of rows.
    Environment.SetEnvironmentVariable("NODE_OPTIONS", "--max-old-space-size=12288");
    var azurite = StartAzurite(inMemory: true, location: null, FreePort(), FreePort(), FreePort());
    try
    {
        var exit = StartProcess("dotnet", new ProcessSettings
        {
            Arguments = $"tests/benchmarks/Intune.Benchmarks/bin/Release/net10.0/Intune.Benchmarks.dll --profile {profile} --output docs" + (scenarios.Length > 0 ? $" --scenarios {scenarios}" : string.Empty),
            EnvironmentVariables = new Dictionary<string, string> { ["INTUNE_TEST_STORAGE"] = azurite.ConnectionString },
        });
        if (exit != 0)
        {
            throw new Exception($"The benchmark run failed (exit {exit}).");
        }
    }
    finally
    {
        StopProcess(azurite.Process);
    }
});

Task("Default").IsDependentOn("Build");

RunTarget(target);

// ---- helpers ----

void RequireNode()
{
    try
    {
        if (StartProcess("node", new ProcessSettings { Arguments = "--version", RedirectStandardOutput = true }) == 0)
        {
            return;
        }
    }
    catch (Exception)
    {
        // Not on PATH: reported below.
    }

    throw new Exception("node is missing: the admin center is built with Node.js 20 or later and npm; install them (e.g. apt-get install -y nodejs npm) and run ./build.sh again.");
}

void Npm(string arguments, string failure)
{
    if (StartProcess("npm", new ProcessSettings { Arguments = arguments }) != 0)
    {
        throw new Exception($"{failure}; its output is above.");
    }
}

IEnumerable<string> AdminCenterSources() =>
    System.IO.Directory.EnumerateFiles(adminCenter.Combine("src").FullPath, "*", System.IO.SearchOption.AllDirectories)
        .Concat(new[] { "index.html", "package.json", "vite.config.ts", "tsconfig.json" }.Select(f => adminCenter.CombineWithFilePath(f).FullPath))
        .Append(MakeAbsolute(File("./package-lock.json")).FullPath);

sealed record Azurite(System.Diagnostics.Process Process, int BlobPort, int QueuePort, int TablePort, string ConnectionString);

Azurite StartAzurite(bool inMemory, string location, int blobPort, int queuePort, int tablePort, bool ownSession = false)
{
    if (!System.IO.File.Exists(azuriteScript.FullPath))
    {
        throw new Exception("Azurite is not installed: run ./build.sh (it runs 'npm ci') rather than 'dotnet cake' directly.");
    }

    var storage = inMemory ? "--inMemoryPersistence" : $"--location \"{location}\"";
    // Azurite's output goes to a log file, not a pipe nobody reads (a full pipe would stall it).
    EnsureDirectoryExists(artifacts);
    var log = artifacts.CombineWithFilePath($"azurite-{tablePort}.log").FullPath;
    // setsid (same pid, as bash is no group leader) keeps the terminal's Ctrl-C from reaching Azurite.
    var start = new System.Diagnostics.ProcessStartInfo("bash",
        $"-c \"exec {(ownSession ? "setsid " : string.Empty)}node '{azuriteScript.FullPath}' --blobHost 127.0.0.1 --blobPort {blobPort} --queueHost 127.0.0.1 --queuePort {queuePort} " +
        $"--tableHost 127.0.0.1 --tablePort {tablePort} --skipApiVersionCheck --disableTelemetry --silent --loose {storage} > '{log}' 2>&1\"");
    start.Environment["AZURITE_ACCOUNTS"] = azuriteAccounts;
    var process = System.Diagnostics.Process.Start(start);
    var deadline = DateTime.UtcNow.AddSeconds(30);
    while (!(PortAnswers(blobPort) && PortAnswers(tablePort)))
    {
        if (process.HasExited || DateTime.UtcNow > deadline)
        {
            throw new Exception($"Azurite did not start on ports {blobPort}/{tablePort}; see {log}.");
        }
        System.Threading.Thread.Sleep(100);
    }

    var connection = $"DefaultEndpointsProtocol=http;AccountName={DevAccount};AccountKey={DevKey};" +
                     $"BlobEndpoint=http://127.0.0.1:{blobPort}/{DevAccount};QueueEndpoint=http://127.0.0.1:{queuePort}/{DevAccount};TableEndpoint=http://127.0.0.1:{tablePort}/{DevAccount};";
    return new Azurite(process, blobPort, queuePort, tablePort, connection);
}

void StopProcess(System.Diagnostics.Process process)
{
    if (process.HasExited) { return; }
    process.Kill(entireProcessTree: true);
    if (!process.WaitForExit(10_000))
    {
        Warning($"Process {process.Id} did not stop within 10 s.");
    }
}

// SIGINT first (Azurite saves its files and closes), SIGKILL only if it does not end within 10 s.
void StopGracefully(System.Diagnostics.Process process)
{
    if (process.HasExited) { return; }
    StartProcess("kill", new ProcessSettings { Arguments = $"-INT {process.Id}" });
    if (!process.WaitForExit(10_000))
    {
        Warning($"Azurite (pid {process.Id}) did not stop on SIGINT within 10 s; killing it.");
        StopProcess(process);
    }
}

static int FreePort()
{
    var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    var port = ((IPEndPoint)listener.LocalEndpoint).Port;
    listener.Stop();
    return port;
}

static bool PortIsFree(int port)
{
    try
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        listener.Stop();
        return true;
    }
    catch (SocketException)
    {
        return false;
    }
}

static bool PortAnswers(int port)
{
    try
    {
        using var client = new TcpClient();
        client.Connect(IPAddress.Loopback, port);
        return true;
    }
    catch (SocketException)
    {
        return false;
    }
}

static (int Passed, int Failed, int Skipped) SumTrx(DirectoryPath results)
{
    int passed = 0, failed = 0, skipped = 0;
    foreach (var trx in System.IO.Directory.GetFiles(results.FullPath, "*.trx", System.IO.SearchOption.AllDirectories))
    {
        var counters = XDocument.Load(trx).Descendants().First(e => e.Name.LocalName == "Counters");
        int Read(string name) => int.Parse(counters.Attribute(name)?.Value ?? "0");
        passed += Read("passed");
        failed += Read("failed") + Read("error") + Read("timeout") + Read("aborted");
        skipped += Read("notExecuted");
    }
    return (passed, failed, skipped);
}
