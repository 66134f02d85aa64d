using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.Device.V1;
using Intune.DeviceGateway.Security;
using Intune.Grains;
using Intune.Grains.Devices;
using Intune.Grains.Tenants;
using Intune.Routing;
using DeviceFacts = Intune.Grains.Devices.DeviceFacts;
using GrainComplianceState = Intune.Grains.Devices.ComplianceState;
using HardwareIdentifiers = Intune.Grains.Devices.HardwareIdentifiers;

namespace Intune.DeviceGateway.Grpc;

/// <summary>
/// intune.device.v1.DeviceService: translates the wire protocol to grain calls and grain
/// refusals to gRPC statuses. No device state lives here.
/// </summary>
internal sealed class DeviceGrpcService(
    IScaleUnitRouter router,
    DeviceCertificateAuthenticator authenticator,
    TenantMoveMarks moves,
    DeviceGatewayCertificates certificates,
    ConnectedDevices connected,
    TimeProvider time) : DeviceService.DeviceServiceBase
{
    public override async Task<EnrollResponse> Enroll(EnrollRequest request, ServerCallContext context)
    {
        var enrollment = new DeviceEnrollment(
            ToPlatform(request.Platform),
            request.OsVersion,
            string.IsNullOrWhiteSpace(request.DeviceName) ? $"{request.Platform}-device" : request.DeviceName,
            ToHardware(request.Hardware),
            string.IsNullOrWhiteSpace(request.UserPrincipalName) ? null : request.UserPrincipalName,
            request.Ownership switch
            {
                Ownership.Company => DeviceOwnership.Company,
                Ownership.Personal => DeviceOwnership.Personal,
                _ => DeviceOwnership.Unknown,
            },
            request.CertificateSigningRequest.ToByteArray(),
            NullIfEmpty(request.Model),
            NullIfEmpty(request.Manufacturer));

        if (!EnrollmentTokenFormat.TryGetTenantId(request.EnrollmentToken, out var tenantId))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "The enrollment token is missing or malformed."));
        }

        DeviceEnrollmentResult result;
        try
        {
            // A standalone gateway has a port per unit, whose CA the device will pin: enroll
            // where the tenant lives.
            if (certificates.BindingOf(context.GetHttpContext().Connection.LocalPort) is { ScaleUnitId: { } portUnit }
                && await router.ScaleUnitOfAsync(tenantId, context.CancellationToken) is { } tenantUnit && tenantUnit != portUnit)
            {
                throw DeviceMoves.ServedElsewhere(tenantUnit, certificates.Bindings.FirstOrDefault(b => b.ScaleUnitId == tenantUnit)?.Endpoint);
            }

            var grains = await DeviceMoves.RouteAsync(router, moves, await router.ForTenantAsync(tenantId, context.CancellationToken), tenantId, writes: true, context.CancellationToken);
            result = await grains.GetGrain<IEnrollmentGrain>(0).EnrollAsync(request.EnrollmentToken, enrollment);
        }
        catch (EnrollmentRefusedException ex)
        {
            DeviceGatewayMetrics.Enrolled(request.Platform.ToString(), ex.Reason.ToString());
            throw new RpcException(new Status(ToStatusCode(ex.Reason), ex.Message));
        }
        catch (TenantNotRoutableException)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "The enrollment token names a tenant this service does not know."));
        }

        DeviceGatewayMetrics.Enrolled(request.Platform.ToString(), "Enrolled");
        return new EnrollResponse
        {
            TenantId = result.TenantId,
            DeviceId = result.DeviceId,
            Certificate = Google.Protobuf.ByteString.CopyFrom(result.Certificate),
            CertificateAuthority = Google.Protobuf.ByteString.CopyFrom(result.CertificateAuthority),
            CertificateNotAfter = Timestamp.FromDateTimeOffset(result.CertificateNotAfter),
            NextCheckIn = Timestamp.FromDateTimeOffset(result.NextCheckIn),
        };
    }

    public override async Task<CheckInResponse> CheckIn(CheckInRequest request, ServerCallContext context)
    {
        var identity = await authenticator.AuthenticateAsync(context);
        var facts = ToFacts(request.Facts ?? new Intune.Device.V1.DeviceFacts());
        DeviceCheckInResult result;
        try
        {
            var grains = await RouteAsync(identity, writes: true, context.CancellationToken);
            // Most check-ins report nothing: no lists built for them.
            IReadOnlyList<DeviceCommandResult> results = request.CommandResults.Count == 0
                ? []
                : request.CommandResults.Select(r => new DeviceCommandResult(r.CommandId, r.Succeeded, NullIfEmpty(r.Error))).ToList();
            result = await grains.GetGrain<IDeviceGrain>(GrainKeys.Scoped(identity.TenantId, identity.DeviceId))
                .CheckInAsync(new DeviceCheckIn(identity.CertificateSerialNumber, facts, NullIfEmpty(request.AssignmentEtag), results)
                {
                    SettingReports = request.SettingReports.Count == 0
                        ? []
                        : request.SettingReports.Select(r => new Grains.Policies.SettingReport(r.PolicyId, r.Setting, r.Succeeded, NullIfEmpty(r.ErrorMessage))).ToList(),
                    AppReports = Apps.AppPayload.Reports(request),
                    DetectedApps = Apps.AppPayload.Inventory(request),
                });
        }
        catch (DeviceAuthenticationException ex)
        {
            DeviceGatewayMetrics.CallRefused(context.Method, StatusCode.PermissionDenied);
            throw new RpcException(new Status(StatusCode.PermissionDenied, ex.Message));
        }

        var response = new CheckInResponse
        {
            NotModified = result.NotModified,
            AssignmentEtag = result.AssignmentEtag,
            ComplianceState = ToWire(result.ComplianceState),
            NextCheckIn = Timestamp.FromDateTimeOffset(result.NextCheckIn),
            Unenrolled = result.Unenrolled,
        };
        if (result.Commands is { Count: > 0 } commands)
        {
            response.Commands.AddRange(commands.Select(ToWire));
        }

        CompliancePayload.AddTo(response, result);
        Apps.AppPayload.AddTo(response, result);
        return response;
    }

    public override async Task Listen(ListenRequest request, IServerStreamWriter<Nudge> responseStream, ServerCallContext context)
    {
        var identity = await authenticator.AuthenticateAsync(context);
        // Listening writes nothing durable, so it goes on while the tenant is being copied.
        var grains = await RouteAsync(identity, writes: false, context.CancellationToken);
        var device = grains.GetGrain<IDeviceGrain>(GrainKeys.Scoped(identity.TenantId, identity.DeviceId));
        var nudges = System.Threading.Channels.Channel.CreateUnbounded<DeviceNudge>(new() { SingleReader = true });
        // The observer lives in this process; the Device grain may be in another. The grain only
        // keeps it for a lease, renewed below while the stream is open.
        // Orleans holds observer targets weakly: keep ours alive until the stream ends.
        var target = new ChannelDeviceListener(nudges.Writer);
        var listener = grains.CreateObjectReference<IDeviceListener>(target);
        try
        {
            try
            {
                await device.ListenAsync(identity.CertificateSerialNumber, listener);
            }
            catch (DeviceAuthenticationException ex)
            {
                throw new RpcException(new Status(StatusCode.PermissionDenied, ex.Message));
            }

            // Assignment changes reach this stream from the gateway itself (see ConnectedDevices).
            using var registration = await connected.RegisterAsync(grains, identity.TenantId, identity.DeviceId, nudges.Writer);
            await responseStream.WriteAsync(new Nudge { Reason = "connected", Attempt = 0 }, context.CancellationToken);
            using var renewal = new PeriodicTimer(DeviceListenerLease.Renewal, time);
            var renew = RenewLeaseAsync(device, identity, listener, renewal, nudges.Writer, connected, context.CancellationToken);
            await foreach (var nudge in nudges.Reader.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(new Nudge { Reason = nudge.Reason, Attempt = nudge.Attempt }, context.CancellationToken);
                DeviceGatewayMetrics.NudgeDelivered();
            }

            // The channel completes only when the lease could not be renewed (the device was removed).
            await renew;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The device hung up.
        }
        finally
        {
            try
            {
                await device.StopListeningAsync(listener);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Best effort: the lease expires on its own.
            }

            grains.DeleteObjectReference<IDeviceListener>(listener);
            GC.KeepAlive(target);
        }
    }

    public override async Task<RenewCertificateResponse> RenewCertificate(RenewCertificateRequest request, ServerCallContext context)
    {
        var identity = await authenticator.AuthenticateAsync(context);
        DeviceCertificateRenewal renewal;
        try
        {
            var grains = await RouteAsync(identity, writes: true, context.CancellationToken);
            renewal = await grains.GetGrain<IDeviceGrain>(GrainKeys.Scoped(identity.TenantId, identity.DeviceId))
                .RenewCertificateAsync(identity.CertificateSerialNumber, request.CertificateSigningRequest.ToByteArray());
        }
        catch (DeviceAuthenticationException ex)
        {
            DeviceGatewayMetrics.CallRefused(context.Method, StatusCode.PermissionDenied);
            throw new RpcException(new Status(StatusCode.PermissionDenied, ex.Message));
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }

        return new RenewCertificateResponse
        {
            Certificate = Google.Protobuf.ByteString.CopyFrom(renewal.Certificate),
            CertificateAuthority = Google.Protobuf.ByteString.CopyFrom(renewal.CertificateAuthority),
            CertificateNotAfter = Timestamp.FromDateTimeOffset(renewal.CertificateNotAfter),
        };
    }

    /// <summary>The unit named by the certificate, unless the tenant has moved on from it.</summary>
    private async Task<IGrainFactory> RouteAsync(DeviceIdentity identity, bool writes, CancellationToken cancellationToken) =>
        await DeviceMoves.RouteAsync(router, moves, await router.ForScaleUnitAsync(identity.ScaleUnitId, cancellationToken), identity.TenantId, writes, cancellationToken);

    private static async Task RenewLeaseAsync(
        IDeviceGrain device,
        DeviceIdentity identity,
        IDeviceListener listener,
        PeriodicTimer renewal,
        System.Threading.Channels.ChannelWriter<DeviceNudge> nudges,
        ConnectedDevices connected,
        CancellationToken cancellationToken)
    {
        try
        {
            while (await renewal.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await device.ListenAsync(identity.CertificateSerialNumber, listener);
                }
                catch (Exception ex) when (ex is not (DeviceAuthenticationException or OperationCanceledException or OutOfMemoryException))
                {
                    // A renewal that timed out behind a loaded silo must not end the renewals: the
                    // lease (3 min) outlasts two more tries, and the next one usually lands.
                }

                await connected.RenewAsync(identity.TenantId);
            }
        }
        catch (OperationCanceledException)
        {
            // Stream closed.
        }
        catch (DeviceAuthenticationException)
        {
            // Retired, wiped or deleted since the stream opened: end it.
            nudges.TryComplete();
        }
    }

    private static Command ToWire(DeviceCommand command) => new()
    {
        CommandId = command.CommandId,
        Type = command.Kind switch
        {
            DeviceActionKind.RemoteLock => CommandType.RemoteLock,
            DeviceActionKind.Wipe => CommandType.Wipe,
            DeviceActionKind.Retire => CommandType.Retire,
            DeviceActionKind.SyncDevice => CommandType.SyncDevice,
            DeviceActionKind.RebootNow => CommandType.RebootNow,
            DeviceActionKind.ResetPasscode => CommandType.ResetPasscode,
            DeviceActionKind.ShutDown => CommandType.ShutDown,
            _ => CommandType.Unspecified,
        },
        KeepEnrollmentData = command.KeepEnrollmentData,
        KeepUserData = command.KeepUserData,
        MacOsUnlockCode = command.MacOsUnlockCode ?? string.Empty,
    };

    /// <summary>Receives nudges from the Device grain and hands them to the open stream.</summary>
    private sealed class ChannelDeviceListener(System.Threading.Channels.ChannelWriter<DeviceNudge> writer) : IDeviceListener
    {
        public Task NudgeAsync(DeviceNudge nudge)
        {
            writer.TryWrite(nudge);
            return Task.CompletedTask;
        }
    }

    private static StatusCode ToStatusCode(EnrollmentRefusal reason) => reason switch
    {
        EnrollmentRefusal.InvalidToken or EnrollmentRefusal.TokenExpired or EnrollmentRefusal.TenantNotFound => StatusCode.Unauthenticated,
        EnrollmentRefusal.TokenRevoked => StatusCode.PermissionDenied,
        EnrollmentRefusal.TokenExhausted => StatusCode.ResourceExhausted,
        EnrollmentRefusal.InvalidRequest => StatusCode.InvalidArgument,
        EnrollmentRefusal.PlatformBlocked or EnrollmentRefusal.PersonalDeviceBlocked => StatusCode.PermissionDenied,
        EnrollmentRefusal.OsVersionBelowMinimum or EnrollmentRefusal.OsVersionAboveMaximum => StatusCode.FailedPrecondition,
        EnrollmentRefusal.DeviceLimitReached => StatusCode.ResourceExhausted,
        _ => StatusCode.FailedPrecondition,
    };

    private static DevicePlatform ToPlatform(Platform platform) => platform switch
    {
        Platform.Windows => DevicePlatform.Windows,
        Platform.Ios => DevicePlatform.IOS,
        Platform.Ipados => DevicePlatform.IPadOS,
        Platform.Macos => DevicePlatform.MacOS,
        Platform.Android => DevicePlatform.Android,
        _ => DevicePlatform.Unknown,
    };

    private static Intune.Device.V1.ComplianceState ToWire(GrainComplianceState state) => state switch
    {
        GrainComplianceState.Compliant => Intune.Device.V1.ComplianceState.Compliant,
        GrainComplianceState.Noncompliant => Intune.Device.V1.ComplianceState.Noncompliant,
        GrainComplianceState.Conflict => Intune.Device.V1.ComplianceState.Conflict,
        GrainComplianceState.Error => Intune.Device.V1.ComplianceState.Error,
        GrainComplianceState.InGracePeriod => Intune.Device.V1.ComplianceState.InGracePeriod,
        GrainComplianceState.ConfigManager => Intune.Device.V1.ComplianceState.ConfigManager,
        _ => Intune.Device.V1.ComplianceState.Unknown,
    };

    private static HardwareIdentifiers ToHardware(Intune.Device.V1.HardwareIdentifiers? hardware) => hardware is null
        ? HardwareIdentifiers.None
        : new HardwareIdentifiers(
            NullIfEmpty(hardware.SerialNumber),
            NullIfEmpty(hardware.Imei),
            NullIfEmpty(hardware.Meid),
            NullIfEmpty(hardware.WifiMacAddress),
            NullIfEmpty(hardware.EthernetMacAddress),
            NullIfEmpty(hardware.Udid));

    private static DeviceFacts ToFacts(Intune.Device.V1.DeviceFacts facts) => new DeviceFacts
    {
        OsVersion = NullIfEmpty(facts.OsVersion),
        Model = NullIfEmpty(facts.Model),
        Manufacturer = NullIfEmpty(facts.Manufacturer),
        SerialNumber = NullIfEmpty(facts.SerialNumber),
        Imei = NullIfEmpty(facts.Imei),
        StorageEncrypted = facts.StorageEncrypted,
        JailBroken = facts.JailBroken switch { TriState.True => true, TriState.False => false, _ => null },
        PasscodeSet = facts.PasscodeSet,
        PasscodeLength = facts.PasscodeLength,
        FirewallEnabled = facts.FirewallEnabled,
        SecureBootEnabled = facts.SecureBootEnabled,
        BitLockerEnabled = facts.BitlockerEnabled,
        TotalStorageBytes = facts.TotalStorageBytes,
        FreeStorageBytes = facts.FreeStorageBytes,
        AndroidSecurityPatchLevel = NullIfEmpty(facts.AndroidSecurityPatchLevel),
        WiFiMacAddress = NullIfEmpty(facts.WifiMacAddress),
        EthernetMacAddress = NullIfEmpty(facts.EthernetMacAddress),
        DeviceName = NullIfEmpty(facts.DeviceName),
    }.WithComplianceFacts(facts);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
