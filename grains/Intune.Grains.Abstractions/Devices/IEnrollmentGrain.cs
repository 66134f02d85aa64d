namespace Intune.Grains.Devices;

/// <summary>
/// Runs one enrollment end to end inside the scale unit: checks the request, lets the tenant
/// admit it (token, restrictions), then creates the Device grain with its certificate.
/// A stateless worker: enrollments of one tenant run in parallel.
/// </summary>
[Alias("intune.IEnrollmentGrain")]
public interface IEnrollmentGrain : IGrainWithIntegerKey
{
    [Alias("EnrollAsync")]
    Task<DeviceEnrollmentResult> EnrollAsync(string enrollmentToken, DeviceEnrollment enrollment);
}
