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
internal sealed class DeviceGrpcService(IScaleUnitRouter router, DeviceCertificateAuthenticator authenticator) : DeviceService.DeviceServiceBase
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
            var grains = await router.ForTenantAsync(tenantId, context.CancellationToken);
            result = await grains.GetGrain<IEnrollmentGrain>(0).EnrollAsync(request.EnrollmentToken, enrollment);
        }
        catch (EnrollmentRefusedException ex)
        {
            throw new RpcException(new Status(ToStatusCode(ex.Reason), ex.Message));
        }
        catch (TenantNotRoutableException)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "The enrollment token names a tenant this service does not know."));
        }

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
        var identity = authenticator.Authenticate(context);
        var facts = ToFacts(request.Facts ?? new Intune.Device.V1.DeviceFacts());
        DeviceCheckInResult result;
        try
        {
            var grains = await router.ForScaleUnitAsync(identity.ScaleUnitId, context.CancellationToken);
            result = await grains.GetGrain<IDeviceGrain>(GrainKeys.Scoped(identity.TenantId, identity.DeviceId))
                .CheckInAsync(new DeviceCheckIn(identity.CertificateSerialNumber, facts, NullIfEmpty(request.AssignmentEtag))
                {
                    SettingReports = request.SettingReports.Select(r => new Grains.Policies.SettingReport(r.PolicyId, r.Setting, r.Succeeded, NullIfEmpty(r.ErrorMessage))).ToList(),
                });
        }
        catch (DeviceAuthenticationException ex)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, ex.Message));
        }

        var response = new CheckInResponse
        {
            NotModified = result.NotModified,
            AssignmentEtag = result.AssignmentEtag,
            ComplianceState = ToWire(result.ComplianceState),
            NextCheckIn = Timestamp.FromDateTimeOffset(result.NextCheckIn),
        };
        CompliancePayload.AddTo(response, result);
        return response;
    }

    private static StatusCode ToStatusCode(EnrollmentRefusal reason) => reason switch
    {
        EnrollmentRefusal.InvalidToken or EnrollmentRefusal.TokenExpired or EnrollmentRefusal.TenantNotFound => StatusCode.Unauthenticated,
        EnrollmentRefusal.TokenRevoked => StatusCode.PermissionDenied,
        EnrollmentRefusal.TokenExhausted => StatusCode.ResourceExhausted,
        EnrollmentRefusal.InvalidRequest => StatusCode.InvalidArgument,
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
