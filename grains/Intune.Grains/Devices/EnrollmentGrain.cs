using Intune.Grains.Certificates;
using Intune.Grains.Tenants;
using Orleans.Concurrency;

namespace Intune.Grains.Devices;

/// <summary>
/// Coordinates an enrollment. Order matters for "a refusal leaves nothing behind": the request
/// is checked first, then the tenant admits it (counting a token use), then the device is created.
/// </summary>
[StatelessWorker]
internal sealed class EnrollmentGrain : Grain, IEnrollmentGrain
{
    public async Task<DeviceEnrollmentResult> EnrollAsync(string enrollmentToken, DeviceEnrollment enrollment)
    {
        if (!EnrollmentTokenFormat.TryGetTenantId(enrollmentToken, out var tenantId))
        {
            throw new EnrollmentRefusedException(EnrollmentRefusal.InvalidToken, "The enrollment token is missing or malformed.");
        }

        if (enrollment.Platform == DevicePlatform.Unknown)
        {
            throw new EnrollmentRefusedException(EnrollmentRefusal.InvalidRequest, "The device must state its platform.");
        }

        if (string.IsNullOrWhiteSpace(enrollment.OsVersion))
        {
            throw new EnrollmentRefusedException(EnrollmentRefusal.InvalidRequest, "The device must state its OS version.");
        }

        try
        {
            CertificateAuthority.ParseSigningRequest(enrollment.CertificateSigningRequest);
        }
        catch (ArgumentException ex)
        {
            throw new EnrollmentRefusedException(EnrollmentRefusal.InvalidRequest, ex.Message);
        }

        var candidate = new EnrollmentCandidate(enrollment.Platform, enrollment.OsVersion, enrollment.Ownership, enrollment.UserPrincipalName);
        await GrainFactory.GetGrain<ITenantGrain>(tenantId).AdmitEnrollmentAsync(enrollmentToken, candidate);

        var deviceId = Guid.NewGuid().ToString();
        return await GrainFactory.GetGrain<IDeviceGrain>(GrainKeys.Scoped(tenantId, deviceId)).EnrollAsync(enrollment);
    }
}
