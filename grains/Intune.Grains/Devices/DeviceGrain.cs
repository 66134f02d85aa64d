using System.Security.Cryptography.X509Certificates;
using Intune.Grains.Certificates;
using Intune.Grains.Durability;
using Microsoft.Extensions.Logging;

namespace Intune.Grains.Devices;

/// <summary>
/// One device: its enrollment, certificate, facts and compliance. The check-in path stays on
/// this grain alone and writes storage only when something a reader could see has changed.
/// </summary>
internal sealed partial class DeviceGrain(
    [PersistentState("device", StorageNames.Grains)] IPersistentState<DeviceState> device,
    CertificateAuthority authority,
    IDeviceCatalog catalog,
    IHardwareIndexStore hardwareIndex,
    Delivery.DeliveryCache deliveries,
    Delivery.WriteBehindGate writeBehind,
    TimeProvider time,
    ILogger<DeviceGrain> logger) : Grain, IDeviceGrain
{
    /// <summary>
    /// A check-in that changes nothing else is persisted at most this often: compliance validity
    /// is measured in days, so an hour-old lastSyncDateTime in storage loses nothing.
    /// </summary>
    internal static readonly TimeSpan LastSyncPersistInterval = TimeSpan.FromHours(1);

    private DateTimeOffset _lastSync;

    /// <summary>The catalog row as this activation last wrote it (its last-sync time aside), and that time.</summary>
    private UInt128? _catalogListed;
    private DateTimeOffset _catalogSynced;

    /// <summary>The tenant assignment version the effective set was last worked out at (in memory: working it out again finds nothing new).</summary>
    private long _deliveryVersion = -1;

    private DeviceState State => device.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _lastSync = State.LastSyncDateTime;
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        StopNudging();
        if (_derivedWrite is not null && State.IsEnrolled)
        {
            try
            {
                await writeBehind.EnterAsync(cancellationToken);
                try
                {
                    await PersistAsync();
                }
                finally
                {
                    writeBehind.Exit();
                }
            }
            catch (Exception e)
            {
                // Nothing is lost: the next check-in works the effective set out again.
                logger.LogWarning(e, "Device {DeviceId}: its delivered set could not be written at deactivation", State.DeviceId);
            }
        }

        ForgetDerivedWrite();
    }

    public async Task<DeviceEnrollmentResult> EnrollAsync(DeviceEnrollment enrollment)
    {
        if (State.IsEnrolled)
        {
            throw new InvalidOperationException($"Device {this.GetPrimaryKeyString()} is already enrolled.");
        }

        var (tenantId, deviceId) = GrainKeys.Split(this.GetPrimaryKeyString());
        using var certificate = await authority.IssueDeviceCertificateAsync(enrollment.CertificateSigningRequest, tenantId, deviceId);
        var now = time.GetUtcNow();

        State.TenantId = tenantId;
        State.DeviceId = deviceId;
        State.DeviceName = enrollment.DeviceName;
        State.Platform = enrollment.Platform;
        State.OsVersion = enrollment.OsVersion;
        State.UserPrincipalName = enrollment.UserPrincipalName;
        State.Ownership = enrollment.Ownership;
        State.EnrolledDateTime = now;
        State.LastSyncDateTime = now;
        State.CertificateSerialNumber = certificate.SerialNumber;
        State.CertificateNotAfter = certificate.NotAfter.ToUniversalTime();
        State.Hardware = enrollment.Hardware;
        State.Facts = new DeviceFacts
        {
            OsVersion = enrollment.OsVersion,
            Model = enrollment.Model,
            Manufacturer = enrollment.Manufacturer,
            SerialNumber = enrollment.Hardware.SerialNumber,
            Imei = enrollment.Hardware.Imei,
            WiFiMacAddress = enrollment.Hardware.WiFiMacAddress,
            EthernetMacAddress = enrollment.Hardware.EthernetMacAddress,
            DeviceName = enrollment.DeviceName,
        };
        State.ComplianceState = ComplianceState.Unknown;
        State.ManagementState = ManagementState.Managed;
        State.AssignmentVersion = 1;
        _lastSync = now;

        await PersistAsync();
        if (!string.IsNullOrWhiteSpace(State.UserPrincipalName))
        {
            // Policies targeting the user read the user's devices from the User grain.
            await GrainFactory.GetGrain<Users.IUserGrain>(Users.UserDevices.Key(tenantId, State.UserPrincipalName)).RecordDeviceAsync(deviceId);
        }

        logger.LogInformation("Enrolled {Platform} device {DeviceId} in tenant {TenantId}", State.Platform, deviceId, tenantId);

        var ca = await authority.GetCertificateAsync();
        return new DeviceEnrollmentResult(
            tenantId,
            deviceId,
            certificate.Export(X509ContentType.Cert),
            ca.Export(X509ContentType.Cert),
            State.CertificateNotAfter,
            CheckInSchedule.Next(State.Platform, State.EnrolledDateTime, now));
    }

    public async Task<DeviceCheckInResult> CheckInAsync(DeviceCheckIn checkIn)
    {
        var changed = Authenticate(checkIn.CertificateSerialNumber);
        var now = time.GetUtcNow();
        _lastSync = now;
        // The device answered: whatever nudge was outstanding has done its job.
        StopNudging();
        changed |= ApplyCommandResults(checkIn.CommandResults, now, out var unenroll);
        if (unenroll)
        {
            var platform = State.Platform;
            await RemoveRecordAsync();
            return Counted(platform, new DeviceCheckInResult(false, string.Empty, ComplianceState.Unknown, CheckInSchedule.Next(platform, now, now), [], Unenrolled: true));
        }
        var factsChanged = checkIn.Facts != State.Facts;

        if (factsChanged)
        {
            State.Facts = checkIn.Facts;
            if (!string.IsNullOrEmpty(checkIn.Facts.OsVersion))
            {
                State.OsVersion = checkIn.Facts.OsVersion;
            }

            if (!string.IsNullOrEmpty(checkIn.Facts.DeviceName))
            {
                State.DeviceName = checkIn.Facts.DeviceName;
            }

            changed = true;
        }

        var recorded = Recorded();
        var compliance = await ComplianceCheckInAsync(checkIn, factsChanged, now);
        changed |= compliance.Reported || Recorded() != recorded;

        if (changed || now - State.LastSyncDateTime >= LastSyncPersistInterval)
        {
            await PersistAsync();
        }
        else if (compliance.Derived)
        {
            ScheduleDerivedWrite();
        }

        var etag = AssignmentEtag;
        var commands = PendingCommands();
        return Counted(State.Platform, WithPolicies(new DeviceCheckInResult(
            // Pending commands are news even when the assignment is not.
            NotModified: commands.Count == 0 && string.Equals(checkIn.AssignmentEtag, etag, StringComparison.Ordinal),
            etag,
            State.ComplianceState,
            CheckInSchedule.Next(State.Platform, State.EnrolledDateTime, now),
            commands)));
    }

    private static DeviceCheckInResult Counted(DevicePlatform platform, DeviceCheckInResult result)
    {
        Telemetry.DeviceMetrics.CheckedIn(platform, result);
        return result;
    }

    public Task<ManagedDeviceView?> GetAsync() => Task.FromResult(State.IsEnrolled ? ToView() : null);

    private string AssignmentEtag => $"\"{State.AssignmentVersion}\"";

    /// <summary>Writes the device's state; when storage refuses, <paramref name="rollBack"/> undoes the change and the caller gets Unavailable.</summary>
    private async Task PersistAsync(Action? rollBack = null)
    {
        State.LastSyncDateTime = _lastSync;
        await device.WriteOrRollBackAsync(GrainContext, rollBack);
        // The write carried any delivered set still waiting for its own.
        ForgetDerivedWrite();
        var view = ToView();
        // The catalog lists devices: a write that changed only what it does not show (a
        // delivered policy that left the compliance state as it was) skips its row, whose
        // last-sync time may then lag by up to the interval the state itself accepts.
        // A 128-bit hash, not the text: every active device keeps it, so it must stay small.
        var listed = System.IO.Hashing.XxHash128.HashToUInt128(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(view with { LastSyncDateTime = default }));
        if (listed == _catalogListed && _lastSync - _catalogSynced < LastSyncPersistInterval)
        {
            return;
        }

        await catalog.UpsertAsync(view);
        _catalogListed = listed;
        _catalogSynced = _lastSync;
    }

    private ManagedDeviceView ToView() => new()
    {
        Id = State.DeviceId!,
        TenantId = State.TenantId!,
        DeviceName = State.DeviceName,
        Platform = State.Platform,
        OsVersion = State.OsVersion,
        UserPrincipalName = State.UserPrincipalName,
        Ownership = State.Ownership,
        ComplianceState = State.ComplianceState,
        ManagementState = State.ManagementState,
        EnrolledDateTime = State.EnrolledDateTime,
        LastSyncDateTime = _lastSync,
        ManagementCertificateExpirationDate = State.CertificateNotAfter,
        Facts = State.Facts,
        Hardware = State.Hardware,
        DeviceActionResults = State.Actions.Select(ToResult).ToList(),
        Notes = State.Notes,
    };
}
