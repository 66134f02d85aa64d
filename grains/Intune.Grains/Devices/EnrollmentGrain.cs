using Intune.Grains.Certificates;
using Intune.Grains.Durability;
using Intune.Grains.Groups;
using Intune.Grains.Tenants;
using Intune.Grains.Users;
using Orleans.Concurrency;

namespace Intune.Grains.Devices;

/// <summary>
/// Coordinates an enrollment. Order matters for "a refusal leaves nothing behind": the request
/// is checked first, then the tenant evaluates token and restrictions without writing, then the
/// user's device limit is checked and the device reserved, then the tenant admits it (counting a
/// token use; the reservation is released if that fails), then the device is created (the token
/// use is given back and the reservation released if that fails).
/// Reentrant: it keeps no state, and a stateless worker is otherwise one call at a time per
/// activation with one activation per core, which held gateway enrollment to two in progress
/// per silo (each mostly waiting on storage).
/// </summary>
[StatelessWorker]
[Reentrant]
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

        if (!string.IsNullOrEmpty(enrollment.UserPrincipalName) && UserPrincipalNames.Problem(enrollment.UserPrincipalName) is { } problem)
        {
            throw new EnrollmentRefusedException(EnrollmentRefusal.InvalidRequest, $"The enrolling user {problem}.");
        }

        try
        {
            CertificateAuthority.ParseSigningRequest(enrollment.CertificateSigningRequest);
        }
        catch (ArgumentException ex)
        {
            throw new EnrollmentRefusedException(EnrollmentRefusal.InvalidRequest, ex.Message);
        }

        var tenant = GrainFactory.GetGrain<ITenantGrain>(tenantId);
        var candidate = new EnrollmentCandidate(enrollment.Platform, enrollment.OsVersion, enrollment.Ownership, enrollment.UserPrincipalName)
        {
            UserGroupIds = await UserGroupsAsync(tenant, tenantId, enrollment.UserPrincipalName),
        };
        var admission = await tenant.EvaluateEnrollmentAsync(enrollmentToken, candidate);

        var deviceId = Guid.NewGuid().ToString();
        // Userless devices (kiosks, shared devices) have no per-user limit.
        var user = string.IsNullOrWhiteSpace(enrollment.UserPrincipalName)
            ? null
            : GrainFactory.GetGrain<IUserGrain>(UserDevices.Key(tenantId, enrollment.UserPrincipalName));
        if (user is not null)
        {
            await user.ReserveDeviceAsync(deviceId, admission.DeviceLimit);
        }

        try
        {
            await tenant.AdmitEnrollmentAsync(enrollmentToken, candidate);
            try
            {
                var device = GrainFactory.GetGrain<IDeviceGrain>(GrainKeys.Scoped(tenantId, deviceId));
                // The id was minted above: there is nothing in storage to read.
                using (NewGrain.Mark(device.GetGrainId()))
                {
                    return await device.EnrollAsync(enrollment);
                }
            }
            catch
            {
                await ReturnTokenUseAsync(tenant, enrollmentToken);
                throw;
            }
        }
        catch when (user is not null)
        {
            await user.ReleaseDeviceAsync(deviceId);
            throw;
        }
    }

    /// <summary>Best effort: the device's own failure is what the caller must see, not the refund's.</summary>
    private static async Task ReturnTokenUseAsync(ITenantGrain tenant, string enrollmentToken)
    {
        try
        {
            await tenant.ReturnEnrollmentTokenUseAsync(enrollmentToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The use stays counted; the token's owner can raise its maximum or create another.
        }
    }

    /// <summary>Which of the groups that enrollment restrictions name the user is a member of (user groups only: the device is not in any group yet).</summary>
    private async Task<IReadOnlyList<string>> UserGroupsAsync(ITenantGrain tenant, string tenantId, string? userPrincipalName)
    {
        if (string.IsNullOrWhiteSpace(userPrincipalName))
        {
            return [];
        }

        var groupIds = await tenant.GetEnrollmentRestrictionGroupIdsAsync();
        var memberships = await Task.WhenAll(groupIds.Select(async id =>
            (Id: id, (await GrainFactory.GetGrain<IGroupGrain>(GrainKeys.Scoped(tenantId, id)).ContainsAsync(string.Empty, userPrincipalName)).User)));
        return memberships.Where(m => m.User).Select(m => m.Id).ToList();
    }
}
