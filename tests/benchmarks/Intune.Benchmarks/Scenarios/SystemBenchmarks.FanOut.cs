using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Intune.Device.V1;
using Intune.Grains;
using Intune.Grains.Devices;
using Intune.Grains.Groups;
using Intune.Grains.Policies;
using DevicePlatform = Intune.Grains.Devices.DevicePlatform;

namespace Intune.Benchmarks.Scenarios;

/// <summary>
/// Scenario 4: assign a compliance policy to a group of N seeded devices. The assignment is a
/// tenant fact (no device is written), so the figures are the assign call itself and, for the
/// connected devices (a Listen stream over their own mTLS connection), the time until the
/// gateway's nudge made them check in and receive the policy. Offline devices get it at their
/// next scheduled check-in. A failed check-in is retried the way an agent does, errors counted by status.
/// </summary>
public sealed partial class SystemBenchmarks
{
    private static readonly TimeSpan FanOutDeadline = TimeSpan.FromMinutes(20);
    private SeedIdentities _seedIdentities = null!;

    private async Task FanOutAsync()
    {
        var groupSize = Math.Min(profile.FanOutDevices, _seedIdentities.Count);
        if (groupSize < profile.FanOutDevices)
        {
            await SeedAsync(_devices.Count + profile.FanOutDevices);
            groupSize = Math.Min(profile.FanOutDevices, _seedIdentities.Count);
        }

        var budget = ConnectionBudget();
        var connectedCount = Math.Min(Math.Min(groupSize, profile.FanOutConnected), budget);
        Console.WriteLine($"Fan-out: group of {groupSize:N0} devices, {connectedCount:N0} of them connected (open-file limit allows {budget:N0} connections in this process)…");

        var group = _host.Grains.GetGrain<IGroupGrain>(GrainKeys.Scoped(_tenantId, Guid.NewGuid().ToString()));
        await group.CreateAsync("Fan-out benchmark", null);
        foreach (var chunk in Enumerable.Range(0, groupSize).Chunk(5_000))
        {
            await group.AddMembersAsync(chunk.Select(i => new GroupMember(GroupMemberKind.Device, _seedIdentities.DeviceId(i))).ToList());
        }

        var policyId = Guid.NewGuid().ToString();
        var policy = _host.Grains.GetGrain<IPolicyGrain>(GrainKeys.Scoped(_tenantId, policyId));
        await policy.CreateAsync(new PolicyDefinition
        {
            Id = policyId,
            Kind = PolicyKind.Compliance,
            ODataType = "windows10CompliancePolicy",
            DisplayName = "Fan-out benchmark: BitLocker",
            Settings = new Dictionary<string, string> { ["bitLockerEnabled"] = "true" },
            ScheduledActions = [new ScheduledActionRule("PasswordRequired", [new ComplianceActionItem(ComplianceActionType.Block, 0, null, [])])],
        });

        using var stop = new CancellationTokenSource();
        var connected = new List<ConnectedDevice>(connectedCount);
        var assignedAt = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var connecting = Stopwatch.StartNew();
        var connectErrors = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, connectedCount), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
        {
            var device = new ConnectedDevice(_seedIdentities, i, _host.DeviceGateway, policyId);
            try
            {
                await device.ConnectAsync(assignedAt.Task, stop.Token);
                lock (connected)
                {
                    connected.Add(device);
                }
            }
            catch (Exception ex) when (ex is Grpc.Core.RpcException or IOException or HttpRequestException)
            {
                Interlocked.Increment(ref connectErrors);
                device.Dispose();
            }
        });
        Console.WriteLine($"  connected {connected.Count:N0} devices in {connecting.Elapsed.TotalSeconds:F0} s ({connectErrors} failed)");

        var started = Stopwatch.GetTimestamp();
        assignedAt.SetResult(started);
        var assignOutcome = "returned";
        try
        {
            await policy.AssignAsync([new AssignmentTarget(AssignmentTargetKind.Group, GrainKeys.Split(group.GetPrimaryKeyString()).Id)]);
        }
        catch (TimeoutException)
        {
            // The assignment goes on in the Policy grain; the progress below says how it ends.
            assignOutcome = "timed out (the delivery went on)";
        }

        var assignReturned = Stopwatch.GetElapsedTime(started);

        var left = FanOutDeadline - Stopwatch.GetElapsedTime(started);
        try
        {
            await Task.WhenAll(connected.Select(d => d.Received)).WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
        catch (Exception ex) when (ex is TimeoutException or Grpc.Core.RpcException or IOException or HttpRequestException)
        {
            // Reported below: how many got it within the deadline.
        }
        var latency = new Latency();
        foreach (var device in connected.Where(d => d.Received.IsCompletedSuccessfully))
        {
            latency.Add(device.Received.Result - started);
        }

        await stop.CancelAsync();
        foreach (var device in connected)
        {
            device.Dispose();
        }

        var p99 = latency.PercentileMs(99) / 1000;
        var errors = connected.SelectMany(d => d.Errors).GroupBy(e => e).Select(g => $"{g.Key} ×{g.Count()}").ToList();
        report.Add(new Figure("Fan-out", $"assign call for a group of {groupSize:N0} devices (no device written)", assignReturned.TotalSeconds, "s", Target: "≤ 1 s", TargetMet: assignReturned.TotalSeconds <= 1,
            Notes: $"the call {assignOutcome}; check-in errors retried: {(errors.Count == 0 ? "none" : string.Join(", ", errors))}"));
        report.Add(new Figure("Fan-out", $"connected devices (Listen stream, own mTLS connection): nudged, checked in, got the policy — p50", latency.PercentileMs(50) / 1000, "s",
            Notes: $"{latency.Count:N0} of {connected.Count:N0} connected devices got it within {FanOutDeadline.TotalMinutes:F0} min; max {latency.MaxMs / 1000:F1} s"));
        report.Add(new Figure("Fan-out", "same, p99", p99, "s", Target: "≤ 10 s at 100,000", TargetMet: groupSize >= 100_000 ? p99 <= 10 : null,
            Notes: groupSize >= 100_000 ? null : $"group of {groupSize:N0}, {latency.Count:N0} connected; the target is set for 100,000 (full profile)"));
    }

    /// <summary>
    /// Connections this process may still open: each connected device costs two file descriptors
    /// here (client and server side of one loopback connection), under the soft open-file limit.
    /// </summary>
    private static int ConnectionBudget()
    {
        var limit = File.ReadLines("/proc/self/limits")
            .Where(l => l.StartsWith("Max open files", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3])
            .Select(v => long.TryParse(v, out var n) ? n : 1_000_000)
            .DefaultIfEmpty(1_024)
            .First();
        var open = Directory.GetFiles("/proc/self/fd").Length;
        return (int)Math.Max(0, Math.Min(int.MaxValue, (limit - open - 2_000) / 2));
    }

    /// <summary>A seeded device that holds a Listen stream and checks in when nudged, recording when the policy arrived.</summary>
    private sealed class ConnectedDevice(SeedIdentities identities, int index, Uri gateway, string policyId) : IDisposable
    {
        private readonly TaskCompletionSource<long> _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private GrpcChannel? _channel;
        private X509Certificate2? _certificate;

        public Task<long> Received => _received.Task;

        /// <summary>Status codes of the check-ins that failed (each retried).</summary>
        public ConcurrentBag<Grpc.Core.StatusCode> Errors { get; } = [];

        /// <summary>Like an agent: a failed check-in is tried again after a back-off (1 s, 2 s, 4 s), then left to the next nudge or schedule.</summary>
        private async Task<CheckInResponse?> CheckInWithRetriesAsync(DeviceService.DeviceServiceClient client, CheckInRequest request, CancellationToken stop)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return await client.CheckInAsync(request, cancellationToken: stop);
                }
                catch (Grpc.Core.RpcException ex) when (ex.StatusCode != Grpc.Core.StatusCode.Cancelled && attempt < 3)
                {
                    Errors.Add(ex.StatusCode);
                    await Task.Delay(TimeSpan.FromSeconds(1 << attempt), stop);
                }
                catch (Grpc.Core.RpcException ex) when (ex.StatusCode != Grpc.Core.StatusCode.Cancelled)
                {
                    Errors.Add(ex.StatusCode);
                    return null;
                }
            }
        }

        public async Task ConnectAsync(Task<long> assigned, CancellationToken stop)
        {
            _certificate = identities.Certificate(index);
            _channel = Channel(gateway, _certificate, identities.Authority!);
            var client = new DeviceService.DeviceServiceClient(_channel);
            var facts = identities.Facts(index);
            // No etag yet: the first check-in after the nudge gets the whole assignment.
            var etag = string.Empty;
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

        private static GrpcChannel Channel(Uri address, X509Certificate2 certificate, X509Certificate2 authority) =>
            GrpcChannel.ForAddress(address, new GrpcChannelOptions
            {
                HttpHandler = new SocketsHttpHandler
                {
                    SslOptions = new SslClientAuthenticationOptions
                    {
                        ClientCertificates = new X509CertificateCollection { certificate },
                        RemoteCertificateValidationCallback = (_, server, _, _) =>
                        {
                            using var chain = new X509Chain();
                            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                            chain.ChainPolicy.CustomTrustStore.Add(authority);
                            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                            return server is X509Certificate2 presented && chain.Build(presented);
                        },
                    },
                },
            });
    }
}

/// <summary>
/// What a seeded device needs to connect later: its id, platform and issued certificate (all
/// seeded devices share one key). Storage is allocated up front, before the memory scenario
/// measures the heap, so keeping identities does not count as Device-grain memory.
/// </summary>
internal sealed class SeedIdentities : IDisposable
{
    private const int CertificateSlot = 2_048;
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly Guid[] _ids;
    private readonly DevicePlatform[] _platforms;
    private readonly byte[] _certificates;
    private readonly int[] _lengths;
    private int _count;

    public SeedIdentities(int capacity)
    {
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

    public void Keep(int slot, Guid deviceId, DevicePlatform platform, DeviceEnrollmentResult result)
    {
        if (slot < 0 || slot >= _ids.Length || result.Certificate.Length > CertificateSlot)
        {
            return;
        }

        _ids[slot] = deviceId;
        _platforms[slot] = platform;
        result.Certificate.CopyTo(_certificates, slot * CertificateSlot);
        _lengths[slot] = result.Certificate.Length;
        lock (_ids)
        {
            Authority ??= X509CertificateLoader.LoadCertificate(result.CertificateAuthority);
            while (_count < _ids.Length && _lengths[_count] > 0)
            {
                _count++;
            }
        }
    }

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

    public void Dispose()
    {
        _key.Dispose();
        Authority?.Dispose();
    }
}
