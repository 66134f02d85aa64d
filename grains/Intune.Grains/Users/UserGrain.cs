using Intune.Grains.Devices;
using Intune.Grains.Durability;
using Intune.Grains.Tenants;

namespace Intune.Grains.Users;

/// <summary>
/// The devices a user enrolled. The count is taken at enrollment by asking each Device grain
/// when it last checked in, so check-ins never have to touch this grain.
/// </summary>
internal sealed class UserGrain(
    [PersistentState("user", StorageNames.Grains)] IPersistentState<UserState> user,
    TimeProvider time) : Grain, IUserGrain
{
    // Reservations run one at a time (the grain interleaves, so devices can record themselves
    // meanwhile), and a device reserved but not yet created counts toward the limit: otherwise
    // parallel enrollments of one user each saw the others as "gone" and all were admitted.
    private readonly SemaphoreSlim _reserving = new(1, 1);
    private readonly HashSet<string> _enrolling = [];
    public async Task ReserveDeviceAsync(string deviceId, int limit)
    {
        await _reserving.WaitAsync();
        try
        {
            await ReserveOneAsync(deviceId, limit);
        }
        finally
        {
            _reserving.Release();
        }
    }

    private async Task ReserveOneAsync(string deviceId, int limit)
    {
        if (user.State.DeviceIds.Contains(deviceId))
        {
            return;
        }

        var (tenantId, _) = GrainKeys.Split(this.GetPrimaryKeyString());
        var cutoff = time.GetUtcNow() - UserDevices.ActiveWindow;
        var views = await Task.WhenAll(user.State.DeviceIds.Select(id => GrainFactory.GetGrain<IDeviceGrain>(GrainKeys.Scoped(tenantId, id)).GetAsync()));
        var active = views.Count(v => v is not null && v.LastSyncDateTime >= cutoff)
            + user.State.DeviceIds.Where((id, i) => views[i] is null && _enrolling.Contains(id)).Count();
        if (active >= limit)
        {
            throw new EnrollmentRefusedException(
                EnrollmentRefusal.DeviceLimitReached,
                $"The user has reached the device limit of {limit} enrolled device{(limit == 1 ? string.Empty : "s")} (devices that checked in within the last {UserDevices.ActiveWindow.TotalDays:F0} days count). Remove a device or ask an administrator to raise the limit.");
        }

        // Devices whose record is gone no longer need remembering.
        var gone = user.State.DeviceIds.Where((id, i) => views[i] is null && !_enrolling.Contains(id)).ToList();
        user.State.DeviceIds.RemoveAll(gone.Contains);
        user.State.DeviceIds.Add(deviceId);
        _enrolling.Add(deviceId);
        await user.WriteOrRollBackAsync(GrainContext);
    }

    public async Task RecordDeviceAsync(string deviceId)
    {
        _enrolling.Remove(deviceId);
        if (!user.State.DeviceIds.Contains(deviceId))
        {
            user.State.DeviceIds.Add(deviceId);
            await user.WriteOrRollBackAsync(GrainContext);
        }
    }

    public async Task AssociateDeviceAsync(string deviceId)
    {
        if (!user.State.DeviceIds.Contains(deviceId))
        {
            user.State.DeviceIds.Add(deviceId);
            await user.WriteOrRollBackAsync(GrainContext, () => user.State.DeviceIds.Remove(deviceId));
        }

        await DeviceOf(deviceId).SetUserAssociatedAsync(UserPrincipalName, associated: true);
    }

    public async Task DissociateDeviceAsync(string deviceId)
    {
        if (user.State.DeviceIds.Remove(deviceId))
        {
            await user.WriteOrRollBackAsync(GrainContext, () => user.State.DeviceIds.Add(deviceId));
        }

        await DeviceOf(deviceId).SetUserAssociatedAsync(UserPrincipalName, associated: false);
    }

    private string UserPrincipalName => GrainKeys.Split(this.GetPrimaryKeyString()).Id;

    private IDeviceComplianceGrain DeviceOf(string deviceId) =>
        GrainFactory.GetGrain<IDeviceComplianceGrain>(GrainKeys.Scoped(GrainKeys.Split(this.GetPrimaryKeyString()).TenantId, deviceId));

    public async Task ReleaseDeviceAsync(string deviceId)
    {
        _enrolling.Remove(deviceId);
        if (user.State.DeviceIds.Remove(deviceId))
        {
            await user.WriteOrRollBackAsync(GrainContext);
        }
    }

    public Task<IReadOnlyList<string>> GetDeviceIdsAsync() => Task.FromResult<IReadOnlyList<string>>(user.State.DeviceIds.ToList());

    public async Task<bool> SetDeletedAsync(bool deleted)
    {
        if (user.State.Deleted == deleted)
        {
            return false;
        }

        user.State.Deleted = deleted;
        user.State.DeletedDateTime = deleted ? time.GetUtcNow() : null;
        await user.WriteOrRollBackAsync(GrainContext);
        var (tenantId, _) = GrainKeys.Split(this.GetPrimaryKeyString());
        // The user's own device list, not a scan: each device re-judges itself and reports its transition.
        await Task.WhenAll(user.State.DeviceIds.Select(id =>
            GrainFactory.GetGrain<IDeviceComplianceGrain>(GrainKeys.Scoped(tenantId, id)).ApplyEnrolledUserExistsAsync(!deleted)));
        return true;
    }

    public Task<bool> ExistsAsync() => Task.FromResult(!user.State.Deleted);
}

/// <summary>The durable record of a user's devices. Stored format: add members with new ids only.</summary>
[GenerateSerializer, Alias("intune.UserState")]
public sealed class UserState
{
    [Id(0)] public List<string> DeviceIds { get; set; } = [];
    /// <summary>Deleted from the directory: the built-in compliance policy's "enrolled user exists" fails for the user's devices.</summary>
    [Id(1)] public bool Deleted { get; set; }
    [Id(2)] public DateTimeOffset? DeletedDateTime { get; set; }
}
