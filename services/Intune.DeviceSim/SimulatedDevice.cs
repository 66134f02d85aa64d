using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Intune.Device.V1;

namespace Intune.DeviceSim;

/// <summary>
/// One simulated device speaking intune.device.v1 as a real agent would: it makes its own key
/// and CSR, enrolls with a token, pins the CA it gets back, then checks in over mutual TLS with
/// the issued certificate and remembers the assignment etag it holds.
/// </summary>
public sealed class SimulatedDevice : IDisposable
{
    /// <summary>Trailers of the answer that sends a device to the unit its tenant moved to (see DeviceMoves in the device gateway).</summary>
    private const string MovedToEndpointTrailer = "intune-moved-to-endpoint";
    private const string MovedToAuthorityTrailer = "intune-moved-to-ca-bin";
    // Replaced, never changed in place: TLS callbacks read it on other threads.
    private X509Certificate2[] _movedAuthorities = [];
    private Uri _gateway;
    private readonly List<CommandResult> _unreported = [];
    private readonly List<CommandType> _executed = [];
    private readonly List<IDisposable> _superseded = [];
    private ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private long _checkIns;
    private long _notModified;
    private readonly List<SettingReport> _settingReports = [];
    private readonly List<AppInstallReport> _appReports = [];
    private int _reportedInventory;
    private GrpcChannel? _channel;

    public SimulatedDevice(Uri gateway, DeviceProfile profile)
    {
        _gateway = gateway;
        Profile = profile;
    }

    public DeviceProfile Profile { get; }

    /// <summary>Set to carry out app instructions (download, verify, report); null leaves apps alone.</summary>
    public Apps.AppInstaller? Apps { get; set; }

    /// <summary>The device gateway this device talks to: the one it enrolled at, or the one its tenant's move sent it to.</summary>
    public Uri Gateway => _gateway;

    public string? TenantId { get; private set; }

    public string? DeviceId { get; private set; }

    public X509Certificate2? Certificate { get; private set; }

    public X509Certificate2? CertificateAuthority { get; private set; }

    public string AssignmentEtag { get; private set; } = string.Empty;

    public CheckInResponse? LastCheckIn { get; private set; }

    /// <summary>Commands carried out so far, in order.</summary>
    public IReadOnlyList<CommandType> ExecutedCommands
    {
        get
        {
            lock (_executed)
            {
                return _executed.ToList();
            }
        }
    }

    public long CheckIns => Interlocked.Read(ref _checkIns);

    public long NotModifiedCheckIns => Interlocked.Read(ref _notModified);

    /// <summary>Called as each command is carried out (simulation summaries, tests).</summary>
    public Action<SimulatedDevice, Command>? CommandExecuted { get; set; }

    /// <summary>True once a retire or wipe was acknowledged: the service no longer manages this device.</summary>
    public bool Unenrolled { get; private set; }

    /// <summary>
    /// The issued certificate with the device's key, for TLS client authentication. On Linux the
    /// in-memory key serves as it is; elsewhere SslStream wants a key it can load from a store,
    /// so the certificate goes through PKCS#12 — which costs ~21 ms of CPU (measured 2026-12-03,
    /// half the CPU the enrollment benchmark counted per enrollment), so only where needed. The
    /// key stays alive with the device (superseded keys are disposed with it).
    /// </summary>
    private static X509Certificate2 ClientCertificate(X509Certificate2 issued, ECDsa key)
    {
        if (OperatingSystem.IsLinux())
        {
            return issued.CopyWithPrivateKey(key);
        }

        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public async Task<EnrollResponse> EnrollAsync(string enrollmentToken, CancellationToken cancellationToken = default)
    {
        var csr = new CertificateRequest($"CN={Profile.DeviceName}", _key, HashAlgorithmName.SHA256).CreateSigningRequest();
        // Trust on first use: the device does not know the unit's CA before enrolling; it pins
        // the CA from the answer and authenticates the gateway with it on every later call.
        var request = new EnrollRequest
        {
            EnrollmentToken = enrollmentToken,
            Platform = Profile.Platform,
            OsVersion = Profile.OsVersion,
            DeviceName = Profile.DeviceName,
            UserPrincipalName = Profile.UserPrincipalName,
            Ownership = Profile.Ownership,
            Model = Profile.Model,
            Manufacturer = Profile.Manufacturer,
            Hardware = new HardwareIdentifiers { SerialNumber = Profile.SerialNumber, Imei = Profile.Facts().Imei },
            CertificateSigningRequest = ByteString.CopyFrom(csr),
        };
        EnrollResponse response;
        for (var hop = 0; ; hop++)
        {
            using var enrollChannel = CreateChannel(clientCertificate: null, pinnedAuthority: null);
            try
            {
                response = await new DeviceService.DeviceServiceClient(enrollChannel).EnrollAsync(request, cancellationToken: cancellationToken);
                break;
            }
            catch (RpcException ex) when (hop < 3 && TryFollow(ex))
            {
                // A gateway with a port per scale unit sent the device to its tenant's unit.
            }
        }

        TenantId = response.TenantId;
        DeviceId = response.DeviceId;
        CertificateAuthority = X509CertificateLoader.LoadCertificate(response.CertificateAuthority.ToByteArray());
        using var issued = X509CertificateLoader.LoadCertificate(response.Certificate.ToByteArray());
        Certificate = ClientCertificate(issued, _key);
        _channel?.Dispose();
        _channel = CreateChannel(Certificate, CertificateAuthority);
        return response;
    }

    /// <summary>
    /// One check-in: reports the results of commands carried out since the last one, then carries
    /// out the commands in the answer (their results go with the next check-in).
    /// </summary>
    public async Task<CheckInResponse> CheckInAsync(CancellationToken cancellationToken = default)
    {
        _ = _channel ?? throw new InvalidOperationException("Enroll the device before checking in.");
        var request = new CheckInRequest { Facts = Profile.Facts(), AssignmentEtag = AssignmentEtag };
        request.CommandResults.AddRange(_unreported);
        request.SettingReports.AddRange(_settingReports);
        request.AppReports.AddRange(_appReports);
        var inventory = Apps?.InventoryVersion ?? 0;
        if (Apps is { } apps && inventory != _reportedInventory)
        {
            request.DetectedAppsReported = true;
            request.DetectedApps.AddRange(apps.Inventory());
        }
        var response = await FollowingMovesAsync(client => client.CheckInAsync(request, cancellationToken: cancellationToken).ResponseAsync);
        Interlocked.Increment(ref _checkIns);
        if (response.NotModified)
        {
            Interlocked.Increment(ref _notModified);
        }

        _unreported.Clear();
        _settingReports.Clear();
        _appReports.Clear();
        _reportedInventory = inventory;
        // A simulated agent applies every delivered setting and reports success at its next check-in.
        _settingReports.AddRange(response.Configuration.SelectMany(s => s.PolicyIds.Select(p => new SettingReport { PolicyId = p, Setting = s.Setting, Succeeded = true })));
        AssignmentEtag = response.AssignmentEtag;
        LastCheckIn = response;
        Unenrolled = response.Unenrolled;
        foreach (var command in response.Commands)
        {
            _unreported.Add(Execute(command));
        }

        if (Apps is { } installer && response.Apps.Count > 0)
        {
            _appReports.AddRange(await installer.CarryOutAsync(response.Apps, cancellationToken));
        }

        return response;
    }

    /// <summary>Checks in until nothing is left to report, as an agent does after carrying out commands.</summary>
    public async Task<CheckInResponse> SyncAsync(CancellationToken cancellationToken = default)
    {
        var response = await CheckInAsync(cancellationToken);
        while ((_unreported.Count > 0 || _appReports.Count > 0) && !Unenrolled)
        {
            response = await CheckInAsync(cancellationToken);
        }

        return response;
    }

    /// <summary>
    /// Holds the push channel open and calls <paramref name="onNudge"/> for every message (the
    /// first says the channel is live) until the stream ends or <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task ListenAsync(Func<Nudge, Task> onNudge, CancellationToken cancellationToken)
    {
        for (var hop = 0; ; hop++)
        {
            var channel = _channel ?? throw new InvalidOperationException("Enroll the device before listening.");
            var received = false;
            try
            {
                using var call = new DeviceService.DeviceServiceClient(channel).Listen(new ListenRequest(), cancellationToken: cancellationToken);
                while (await call.ResponseStream.MoveNext(cancellationToken))
                {
                    received = true;
                    await onNudge(call.ResponseStream.Current);
                }

                return;
            }
            catch (RpcException ex) when (!received && hop < 3 && TryFollow(ex))
            {
                // Reconnect at the unit the tenant moved to.
            }
        }
    }

    /// <summary>Makes a new key, gets a certificate for it and uses it from now on.</summary>
    public async Task<RenewCertificateResponse> RenewCertificateAsync(CancellationToken cancellationToken = default)
    {
        _ = _channel ?? throw new InvalidOperationException("Enroll the device before renewing its certificate.");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest($"CN={Profile.DeviceName}", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        var response = await FollowingMovesAsync(client => client.RenewCertificateAsync(
            new RenewCertificateRequest { CertificateSigningRequest = ByteString.CopyFrom(csr) }, cancellationToken: cancellationToken).ResponseAsync);
        var channel = _channel!;
        using var issued = X509CertificateLoader.LoadCertificate(response.Certificate.ToByteArray());
        // The old channel may carry an open Listen stream; it is closed with the device.
        _superseded.Add(channel);
        _superseded.Add(_key);
        Certificate = ClientCertificate(issued, key);
        _key = key;
        _channel = CreateChannel(Certificate, CertificateAuthority);
        return response;
    }

    /// <summary>
    /// Makes a call; when the answer says the tenant moved to another scale unit (FailedPrecondition
    /// with the new unit's endpoint and CA in trailers), reconnects there with the same
    /// certificate, pinning the new unit's CA beside the old one, and makes the call again.
    /// </summary>
    private async Task<T> FollowingMovesAsync<T>(Func<DeviceService.DeviceServiceClient, Task<T>> call)
    {
        for (var hop = 0; ; hop++)
        {
            try
            {
                return await call(new DeviceService.DeviceServiceClient(_channel!));
            }
            catch (RpcException ex) when (hop < 3 && TryFollow(ex))
            {
                // Try again at the unit the tenant moved to.
            }
        }
    }

    private bool TryFollow(RpcException ex)
    {
        if (ex.StatusCode != StatusCode.FailedPrecondition || ex.Trailers.GetValue(MovedToEndpointTrailer) is not { Length: > 0 } endpoint
            || !Uri.TryCreate(endpoint, UriKind.Absolute, out var gateway))
        {
            return false;
        }

        if (ex.Trailers.Get(MovedToAuthorityTrailer)?.ValueBytes is { Length: > 0 } authority)
        {
            // Trustworthy: it came over TLS from the gateway the device already authenticated.
            _movedAuthorities = [.. _movedAuthorities, X509CertificateLoader.LoadCertificate(authority)];
        }

        UseGateway(gateway);
        return true;
    }

    /// <summary>
    /// Talks to another gateway of the same unit from now on, with the same certificate: what the
    /// load balancer in front of a unit's gateways does when the one a device used goes away.
    /// </summary>
    public void UseGateway(Uri gateway)
    {
        _gateway = gateway;
        if (_channel is not null)
        {
            _superseded.Add(_channel);
        }

        _channel = CreateChannel(Certificate, CertificateAuthority);
    }

    /// <summary>A client for calls made with an arbitrary certificate (tests of refusals).</summary>
    public DeviceService.DeviceServiceClient CreateClient(X509Certificate2? clientCertificate, X509Certificate2? pinnedAuthority) =>
        new(CreateChannel(clientCertificate, pinnedAuthority));

    public void Dispose()
    {
        _channel?.Dispose();
        foreach (var superseded in _superseded)
        {
            superseded.Dispose();
        }

        Certificate?.Dispose();
        CertificateAuthority?.Dispose();
        foreach (var moved in _movedAuthorities)
        {
            moved.Dispose();
        }
        _key.Dispose();
    }

    /// <summary>
    /// Carries out a command as far as a simulation can: it is recorded, and refused where the
    /// real platform refuses it (Intune's passcode reset exists for Android and iOS/iPadOS only).
    /// </summary>
    private CommandResult Execute(Command command)
    {
        lock (_executed)
        {
            _executed.Add(command.Type);
        }

        CommandExecuted?.Invoke(this, command);

        if (command.Type == CommandType.ResetPasscode && Profile.Platform is Platform.Windows or Platform.Macos)
        {
            return new CommandResult { CommandId = command.CommandId, Succeeded = false, Error = $"Passcode reset is not supported on {Profile.Platform}." };
        }

        return new CommandResult { CommandId = command.CommandId, Succeeded = true };
    }

    private GrpcChannel CreateChannel(X509Certificate2? clientCertificate, X509Certificate2? pinnedAuthority)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    pinnedAuthority is null || (certificate is X509Certificate2 server
                        && (ChainsTo(server, pinnedAuthority) || Volatile.Read(ref _movedAuthorities).Any(moved => ChainsTo(server, moved)))),
            },
        };
        return GrpcChannel.ForAddress(_gateway, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    private static bool ChainsTo(X509Certificate2 server, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(server);
    }
}
