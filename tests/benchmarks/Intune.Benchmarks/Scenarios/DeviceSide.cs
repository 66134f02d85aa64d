using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Intune.Device.V1;
using Intune.Grains.Devices;
using DevicePlatform = Intune.Grains.Devices.DevicePlatform;

namespace Intune.Benchmarks.Scenarios;

/// <summary>
/// The fan-out's connected devices, run in a child process (this same program with
/// <c>--device-side</c>): the container's hard open-file limit (20,000 here, and root may not
/// raise it without CAP_SYS_RESOURCE) would otherwise be split between both ends of every
/// connection. The child holds the client ends, so the unit's process spends one descriptor per
/// connected device, and its CPU and memory are the server side's alone.
/// </summary>
/// <remarks>
/// Protocol: the child writes <c>connected OK FAILED</c>, waits for <c>assigned TIMESTAMP</c> on
/// its standard input (a <see cref="Stopwatch"/> timestamp of the parent: CLOCK_MONOTONIC, the same
/// in every process of the machine), then writes <c>received MILLISECONDS</c> for every device that got the
/// policy and <c>error STATUS</c> for every failed check-in attempt, and exits on <c>stop</c>.
/// </remarks>
internal static class DeviceSide
{
    public const string Flag = "--device-side";

    /// <summary>The child: <c>--device-side IDENTITIES GATEWAY POLICY</c>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        using var identities = SeedIdentities.Load(args[1]);
        var gateway = new Uri(args[2]);
        var policyId = args[3];
        using var stop = new CancellationTokenSource();
        var assigned = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new BlockingCollection<string>();
        var writer = Task.Run(() =>
        {
            foreach (var line in output.GetConsumingEnumerable())
            {
                Console.Out.WriteLine(line);
            }

            Console.Out.Flush();
        });

        var devices = new ConcurrentBag<ConnectedDevice>();
        var failed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, identities.Count), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            var device = new ConnectedDevice(identities, i, gateway, policyId, status => output.Add($"error {status}"));
            try
            {
                await device.ConnectAsync(assigned.Task, stop.Token);
                devices.Add(device);
            }
            catch (Exception ex) when (ex is Grpc.Core.RpcException or IOException or HttpRequestException or TimeoutException)
            {
                Interlocked.Increment(ref failed);
                device.Dispose();
            }
        });
        output.Add($"connected {devices.Count} {failed}");
        foreach (var device in devices)
        {
            _ = device.Received.ContinueWith(
                t => output.Add($"received {(t.Result - assigned.Task.Result) * 1000.0 / Stopwatch.Frequency:F3}"),
                CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }

        while (Console.In.ReadLine() is { } command)
        {
            if (command.StartsWith("assigned ", StringComparison.Ordinal))
            {
                assigned.TrySetResult(long.Parse(command["assigned ".Length..], System.Globalization.CultureInfo.InvariantCulture));
            }
            else if (command == "stop")
            {
                break;
            }
        }

        await stop.CancelAsync();
        foreach (var device in devices)
        {
            device.Dispose();
        }

        output.CompleteAdding();
        await writer;
        return 0;
    }

    /// <summary>Starts the child for the first <paramref name="count"/> seeded identities.</summary>
    public static DeviceSideProcess Start(SeedIdentities identities, int count, Uri gateway, string policyId)
    {
        var file = Path.Combine(Path.GetTempPath(), $"intune-bench-devices-{Environment.ProcessId}.txt");
        identities.Save(file, count);
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { typeof(DeviceSide).Assembly.Location, Flag, file, gateway.ToString(), policyId })
        {
            start.ArgumentList.Add(argument);
        }

        return new DeviceSideProcess(Process.Start(start)!, file);
    }
}

/// <summary>The parent's handle on the device-side child: when its devices connected, their delivery times, their errors.</summary>
internal sealed class DeviceSideProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _file;
    private readonly TaskCompletionSource<(int Connected, int Failed)> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reader;
    private TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _expected = int.MaxValue;

    public DeviceSideProcess(Process process, string file)
    {
        _process = process;
        _file = file;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Delivery times in milliseconds from the assignment, one per device that got the policy.</summary>
    public ConcurrentQueue<double> Received { get; } = new();

    /// <summary>Status codes of the check-ins that failed (each retried, as an agent does).</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>The child's CPU time so far (the client ends of the connections).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.HasExited ? TimeSpan.Zero : _process.TotalProcessorTime;
        }
    }

    public async Task<(int Connected, int Failed)> ConnectedAsync(TimeSpan timeout)
    {
        var result = await _connected.Task.WaitAsync(timeout);
        Volatile.Write(ref _expected, result.Connected);
        if (Received.Count >= result.Connected)
        {
            _all.TrySetResult();
        }

        return result;
    }

    /// <summary>Tells the child the assignment was made at <paramref name="timestamp"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public async Task AssignedAsync(long timestamp)
    {
        _all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _process.StandardInput.WriteLineAsync($"assigned {timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Completes when every connected device got the policy, or when <paramref name="deadline"/> passes.</summary>
    public async Task WaitForAllAsync(TimeSpan deadline)
    {
        try
        {
            await _all.Task.WaitAsync(deadline);
        }
        catch (TimeoutException)
        {
            // Reported by the caller: how many got it within the deadline.
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.WriteLine("stop");
                _process.StandardInput.Flush();
                if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
        }
        catch (IOException)
        {
            // The child is gone already.
        }

        _reader.Wait(TimeSpan.FromSeconds(5));
        _process.Dispose();
        File.Delete(_file);
    }

    private async Task ReadAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ');
            switch (parts[0])
            {
                case "connected":
                    _connected.TrySetResult((int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)));
                    break;
                case "received":
                    Received.Enqueue(double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
                    if (Received.Count >= Volatile.Read(ref _expected))
                    {
                        _all.TrySetResult();
                    }

                    break;
                case "error":
                    Errors.Enqueue(parts[1]);
                    break;
            }
        }

        _connected.TrySetException(new IOException($"The device-side process exited (code {(_process.HasExited ? _process.ExitCode : -1)}) before its devices connected."));
        _all.TrySetResult();
    }
}

/// <summary>
/// A seeded device that checks in once (as a connected agent has), then holds a Listen stream and
/// checks in when nudged, recording when the policy arrived. A failed check-in is retried after a
/// back-off (1 s, 2 s, 4 s), then left to the next nudge or schedule, as an agent does.
/// </summary>
internal sealed class ConnectedDevice(SeedIdentities identities, int index, Uri gateway, string policyId, Action<Grpc.Core.StatusCode> failed) : IDisposable
{
    private readonly TaskCompletionSource<long> _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private GrpcChannel? _channel;
    private X509Certificate2? _certificate;

    public Task<long> Received => _received.Task;

    public async Task ConnectAsync(Task<long> assigned, CancellationToken stop)
    {
        _certificate = identities.Certificate(index);
        _channel = Channel(gateway, _certificate, identities.Authority!);
        var client = new DeviceService.DeviceServiceClient(_channel);
        var facts = identities.Facts(index);
        // A connected agent has checked in before: its first check-in (user lookup, hardware
        // index, reminder) is not part of what the assignment costs.
        var first = await CheckInWithRetriesAsync(client, new CheckInRequest { Facts = facts }, stop)
            ?? throw new IOException($"Device {index}: its first check-in failed after retries.");
        var etag = first.AssignmentEtag;
        var live = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = ListenAsync();
        await live.Task.WaitAsync(TimeSpan.FromSeconds(60), stop);

        async Task ListenAsync()
        {
            try
            {
                using var call = client.Listen(new ListenRequest(), cancellationToken: stop);
                while (await call.ResponseStream.MoveNext(stop))
                {
                    if (call.ResponseStream.Current.Reason == "connected")
                    {
                        live.TrySetResult();
                        continue;
                    }

                    await assigned;
                    var response = await CheckInWithRetriesAsync(client, new CheckInRequest { Facts = facts, AssignmentEtag = etag }, stop);
                    if (response is null)
                    {
                        continue;
                    }

                    etag = response.AssignmentEtag;
                    if (response.CompliancePolicies.Any(p => p.PolicyId == policyId))
                    {
                        _received.TrySetResult(Stopwatch.GetTimestamp());
                    }
                }
            }
            catch (Exception ex)
            {
                live.TrySetException(ex);
                _received.TrySetException(ex);
            }
        }
    }

    public void Dispose()
    {
        _channel?.Dispose();
        _certificate?.Dispose();
    }

    private async Task<CheckInResponse?> CheckInWithRetriesAsync(DeviceService.DeviceServiceClient client, CheckInRequest request, CancellationToken stop)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await client.CheckInAsync(request, cancellationToken: stop);
            }
            catch (Grpc.Core.RpcException ex) when (ex.StatusCode != Grpc.Core.StatusCode.Cancelled)
            {
                failed(ex.StatusCode);
                if (attempt == 3)
                {
                    return null;
                }

                await Task.Delay(TimeSpan.FromSeconds(1 << attempt), stop);
            }
        }
    }

    /// <summary>Accepts the gateway's certificate only when it chains to the unit's CA, as an enrolled device pins it.</summary>
    public static RemoteCertificateValidationCallback PinnedTo(X509Certificate2 authority) => (_, server, _, _) =>
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return server is X509Certificate2 presented && chain.Build(presented);
    };

    private static GrpcChannel Channel(Uri address, X509Certificate2 certificate, X509Certificate2 authority) =>
        GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            DisposeHttpClient = true,
            HttpHandler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    ClientCertificates = new X509CertificateCollection { certificate },
                    RemoteCertificateValidationCallback = PinnedTo(authority),
                },
            },
        });
}

/// <summary>
/// What a seeded device needs to connect later: its id, platform and issued certificate (all
/// seeded devices share one key). Storage is allocated up front, before the memory scenario
/// measures the heap, so keeping identities does not count as Device-grain memory. Saved to a
/// file for the device-side process.
/// </summary>
internal sealed class SeedIdentities : IDisposable
{
    private const int CertificateSlot = 2_048;
    private readonly ECDsa _key;
    private readonly Guid[] _ids;
    private readonly DevicePlatform[] _platforms;
    private readonly byte[] _certificates;
    private readonly int[] _lengths;
    private int _count;

    public SeedIdentities(int capacity)
        : this(capacity, ECDsa.Create(ECCurve.NamedCurves.nistP256))
    {
    }

    private SeedIdentities(int capacity, ECDsa key)
    {
        _key = key;
        _ids = new Guid[capacity];
        _platforms = new DevicePlatform[capacity];
        _certificates = new byte[capacity * CertificateSlot];
        _lengths = new int[capacity];
        SigningRequest = new CertificateRequest("CN=bench", _key, HashAlgorithmName.SHA256).CreateSigningRequest();
    }

    public byte[] SigningRequest { get; }

    public X509Certificate2? Authority { get; private set; }

    /// <summary>Identities kept contiguously from slot 0.</summary>
    public int Count => Volatile.Read(ref _count);

    public void Keep(int slot, Guid deviceId, DevicePlatform platform, DeviceEnrollmentResult result) =>
        Keep(slot, deviceId, platform, result.Certificate, result.CertificateAuthority);

    public string DeviceId(int slot) => _ids[slot].ToString();

    public X509Certificate2 Certificate(int slot)
    {
        using var issued = X509CertificateLoader.LoadCertificate(_certificates.AsSpan(slot * CertificateSlot, _lengths[slot]));
        using var withKey = issued.CopyWithPrivateKey(_key);
        // A PKCS#12 round trip gives SslStream a certificate whose key it can use on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Facts a healthy device of the slot's platform reports (BitLocker on for Windows).</summary>
    public Intune.Device.V1.DeviceFacts Facts(int slot) => new()
    {
        OsVersion = _platforms[slot] switch
        {
            DevicePlatform.Windows => "10.0.22631",
            DevicePlatform.IOS => "18.1",
            DevicePlatform.Android => "15",
            _ => "15.1",
        },
        DeviceName = $"seed-{slot}",
        SerialNumber = $"SEED{slot:D8}",
        StorageEncrypted = true,
        PasscodeSet = true,
        PasscodeLength = 8,
        FirewallEnabled = true,
        SecureBootEnabled = _platforms[slot] == DevicePlatform.Windows,
        BitlockerEnabled = _platforms[slot] == DevicePlatform.Windows,
    };

    /// <summary>Writes the first <paramref name="count"/> identities: the authority, the shared key, then a line per device.</summary>
    public void Save(string path, int count)
    {
        using var file = new StreamWriter(path);
        file.WriteLine(Convert.ToBase64String(Authority!.RawData));
        file.WriteLine(Convert.ToBase64String(_key.ExportPkcs8PrivateKey()));
        for (var slot = 0; slot < Math.Min(count, Count); slot++)
        {
            file.WriteLine($"{_ids[slot]} {_platforms[slot]} {Convert.ToBase64String(_certificates.AsSpan(slot * CertificateSlot, _lengths[slot]))}");
        }
    }

    public static SeedIdentities Load(string path)
    {
        var lines = File.ReadAllLines(path);
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(Convert.FromBase64String(lines[1]), out _);
        var identities = new SeedIdentities(lines.Length - 2, key);
        var authority = Convert.FromBase64String(lines[0]);
        for (var slot = 0; slot < lines.Length - 2; slot++)
        {
            var parts = lines[slot + 2].Split(' ');
            identities.Keep(slot, Guid.Parse(parts[0]), Enum.Parse<DevicePlatform>(parts[1]), Convert.FromBase64String(parts[2]), authority);
        }

        return identities;
    }

    public void Dispose()
    {
        _key.Dispose();
        Authority?.Dispose();
    }

    private void Keep(int slot, Guid deviceId, DevicePlatform platform, byte[] certificate, byte[] authority)
    {
        if (slot < 0 || slot >= _ids.Length || certificate.Length > CertificateSlot)
        {
            return;
        }

        _ids[slot] = deviceId;
        _platforms[slot] = platform;
        certificate.CopyTo(_certificates, slot * CertificateSlot);
        _lengths[slot] = certificate.Length;
        lock (_ids)
        {
            Authority ??= X509CertificateLoader.LoadCertificate(authority);
            while (_count < _ids.Length && _lengths[_count] > 0)
            {
                _count++;
            }
        }
    }
}
