namespace Intune.Grains.Users;

/// <summary>
/// A user of a tenant, keyed <c>tenantId/userPrincipalName</c> (lower case): the devices they
/// enrolled, for the per-user device limit. Touched at enrollment and removal, never at check-in.
/// </summary>
[Alias("intune.IUserGrain")]
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>
    /// Counts the user's active devices (checked in within <see cref="UserDevices.ActiveWindow"/>)
    /// and, when fewer than <paramref name="limit"/>, records <paramref name="deviceId"/> as theirs.
    /// Throws <see cref="Tenants.EnrollmentRefusedException"/> and records nothing otherwise.
    /// </summary>
    [Alias("ReserveDeviceAsync")]
    Task ReserveDeviceAsync(string deviceId, int limit);

    /// <summary>
    /// Records <paramref name="deviceId"/> as the user's without a limit check (the enrolled device
    /// confirms itself; a no-op after <see cref="ReserveDeviceAsync"/>), so policies targeting the
    /// user find it here.
    /// </summary>
    [Alias("RecordDeviceAsync")]
    Task RecordDeviceAsync(string deviceId);

    /// <summary>
    /// A device handed to this user besides its enrolled user (a shared or multi-user device):
    /// recorded here and told to the device, so deliverables targeting this user reach it at its
    /// next check-in. Not for the device's own enrolled user (the device calls
    /// <see cref="RecordDeviceAsync"/> for that and must not be called back).
    /// </summary>
    [Alias("AssociateDeviceAsync")]
    Task AssociateDeviceAsync(string deviceId);

    /// <summary>Undoes <see cref="AssociateDeviceAsync"/>: the device drops what reached it through this user at its next check-in.</summary>
    [Alias("DissociateDeviceAsync")]
    Task DissociateDeviceAsync(string deviceId);

    /// <summary>Forgets a device (its enrollment failed, or it was retired, wiped or deleted).</summary>
    [Alias("ReleaseDeviceAsync")]
    Task ReleaseDeviceAsync(string deviceId);

    [Alias("GetDeviceIdsAsync")]
    Task<IReadOnlyList<string>> GetDeviceIdsAsync();

    /// <summary>
    /// The user was deleted from the directory (or restored): their devices learn it at once, and
    /// the built-in default compliance policy's "enrolled user exists" check judges them by it.
    /// Returns false when nothing changed.
    /// </summary>
    [Alias("SetDeletedAsync")]
    Task<bool> SetDeletedAsync(bool deleted);

    /// <summary>False once the user was deleted (and not restored).</summary>
    [Alias("ExistsAsync")]
    Task<bool> ExistsAsync();
}

public static class UserDevices
{
    /// <summary>A device counts toward the limit if it checked in within this window (Intune: 90 days).</summary>
    public static readonly TimeSpan ActiveWindow = TimeSpan.FromDays(90);

    public static string Key(string tenantId, string userPrincipalName) => GrainKeys.Scoped(tenantId, userPrincipalName.Trim().ToLowerInvariant());
}
