namespace Intune.Grains.Devices;

/// <summary>
/// One enrolled device, keyed <c>tenantId/deviceId</c>. A check-in touches only this grain
/// (ARCHITECTURE.md §2): it holds the enrollment record, certificate, reported facts and
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

    /// <summary>The admin view of the device, or null when no device is enrolled under this key.</summary>
    [Alias("GetAsync")]
    Task<ManagedDeviceView?> GetAsync();
}

/// <summary>
/// Reads the tenant's device catalog (a storage projection kept by the Device grains) so that
/// listing devices never activates device grains.
/// </summary>
[Alias("intune.IDeviceCatalogGrain")]
public interface IDeviceCatalogGrain : IGrainWithIntegerKey
{
    [Alias("ListAsync")]
    Task<ManagedDevicePage> ListAsync(string tenantId, int pageSize, string? continuationToken);
}
