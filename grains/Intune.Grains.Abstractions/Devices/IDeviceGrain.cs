using Orleans.Concurrency;

namespace Intune.Grains.Devices;

/// <summary>
/// One enrolled device, keyed <c>tenantId/deviceId</c>. A check-in touches only this grain
/// (docs/architecture.md §2): it holds the enrollment record, certificate, reported facts and
/// compliance state.
/// </summary>
[Alias("intune.IDeviceGrain")]
public interface IDeviceGrain : IGrainWithStringKey
{
    /// <summary>Creates the device record and issues its MDM certificate from the CSR.</summary>
    [Alias("EnrollAsync")]
    Task<DeviceEnrollmentResult> EnrollAsync(DeviceEnrollment enrollment);

    /// <summary>Records a check-in; answers not-modified without writing storage when nothing changed.</summary>
    [Alias("CheckInAsync")]
    Task<DeviceCheckInResult> CheckInAsync(DeviceCheckIn checkIn);

    /// <summary>
    /// The admin view of the device, or null when no device is enrolled under this key.
    /// Interleaves (it only reads): the User grain asks a user's devices for their views while
    /// counting toward the device limit, and a device of that user that is itself enrolling waits
    /// on the User grain to record it; without interleaving, two enrollments of one user at
    /// once deadlocked until the call timeout.
    /// </summary>
    [AlwaysInterleave]
    [Alias("GetAsync")]
    Task<ManagedDeviceView?> GetAsync();

    /// <summary>
    /// Queues a remote action for the device and nudges it. Returns null when no device is
    /// enrolled under this key. Asking again for an action still pending returns that action.
    /// </summary>
    [Alias("RequestActionAsync")]
    Task<DeviceActionResult?> RequestActionAsync(DeviceActionRequest request);

    /// <summary>Changes admin-editable fields; null when no device is enrolled under this key.</summary>
    [Alias("UpdateAsync")]
    Task<ManagedDeviceView?> UpdateAsync(ManagedDeviceUpdate update);

    /// <summary>Removes the device record and with it the certificate; false when there was none.</summary>
    [Alias("DeleteAsync")]
    Task<bool> DeleteAsync();

    /// <summary>
    /// Asks a connected device to check in now (a remote action, a policy change). Retries up
    /// to three more times until the device checks in; a device that is not connected picks the
    /// change up at its next scheduled check-in.
    /// </summary>
    [Alias("NudgeAsync")]
    Task NudgeAsync(string reason);

    /// <summary>
    /// Registers a push channel for the device presenting <paramref name="certificateSerialNumber"/>.
    /// Registrations expire unless renewed (<see cref="DeviceListenerLease.Renewal"/>), so a
    /// gateway that died leaves nothing behind.
    /// </summary>
    [Alias("ListenAsync")]
    Task ListenAsync(string certificateSerialNumber, IDeviceListener listener);

    [Alias("StopListeningAsync")]
    Task StopListeningAsync(IDeviceListener listener);

    /// <summary>
    /// Issues a new MDM certificate. The presented one keeps working until the device has used
    /// the new one once; from then on only the new one is accepted.
    /// </summary>
    [Alias("RenewCertificateAsync")]
    Task<DeviceCertificateRenewal> RenewCertificateAsync(string certificateSerialNumber, byte[] certificateSigningRequest);

    /// <summary>Fires a due nudge retry; called by the grain's own timer.</summary>
    [Alias("RetryNudgeAsync")]
    Task RetryNudgeAsync(long generation);
}

/// <summary>How long a Listen registration lives and how often the gateway renews it.</summary>
public static class DeviceListenerLease
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(3);

    public static readonly TimeSpan Renewal = TimeSpan.FromMinutes(1);
}
