using Intune.Grains.Tenants;

namespace Intune.Grains.Devices;

[GenerateSerializer, Alias("intune.ComplianceSweepState")]
public sealed class ComplianceSweepState
{
    /// <summary>The last-check-in cutoff the previous sweep reached: devices last seen at or before it have been asked.</summary>
    [Id(0)] public DateTimeOffset? SweptThrough { get; set; }
}

/// <summary>
/// The validity sweep of one tenant (<see cref="IComplianceSweepGrain"/>). A device's validity
/// deadline moves with every check-in, so a reminder per device would be written on enrollment and
/// kept in the reminder table for every device; instead each sweep takes the window of last
/// check-ins whose validity ran out since the previous sweep, from the in-memory device index, and
/// asks those devices to run their deadlines. The index's last check-in lags the device's by up to
/// <see cref="DeviceGrain.LastSyncPersistInterval"/>, so a device may be asked early: it finds its
/// deadline less than a day away and sets its own reminder for it. A sweep that fails for any device
/// does not advance, so the next one asks the whole window again (asking twice changes nothing).
/// </summary>
internal sealed class ComplianceSweepGrain(
    [PersistentState("complianceSweep", StorageNames.Grains)] IPersistentState<ComplianceSweepState> sweep,
    TimeProvider time) : Grain, IComplianceSweepGrain, IRemindable
{
    private const string ReminderName = "validity-sweep";

    /// <summary>How often the sweep runs: validity is counted in days, so an hour late loses nothing.</summary>
    internal static readonly TimeSpan Period = TimeSpan.FromHours(1);

    /// <summary>Devices asked at once: enough to keep storage busy for the ones that must write.</summary>
    private const int Concurrency = 32;

    private Task? _scheduled;

    public Task EnsureScheduledAsync()
    {
        // Once per activation: the reminder may be gone (a tenant moved here brings no reminders).
        if (_scheduled is null || _scheduled.IsFaulted || _scheduled.IsCanceled)
        {
            _scheduled = ScheduleAsync();
        }

        return _scheduled;
    }

    private async Task ScheduleAsync()
    {
        if (await this.GetReminder(ReminderName) is null)
        {
            await this.RegisterOrUpdateReminder(ReminderName, Period, Period);
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => SweepAsync();

    public async Task<int> SweepAsync()
    {
        var tenantId = this.GetPrimaryKeyString();
        var settings = await GrainFactory.GetGrain<ITenantComplianceGrain>(tenantId).GetSettingsAsync();
        var cutoff = time.GetUtcNow() - TimeSpan.FromDays(settings.DeviceComplianceCheckinThresholdDays);
        var after = sweep.State.SweptThrough ?? DateTimeOffset.MinValue;
        var due = cutoff > after
            ? (await Task.WhenAll(Enumerable.Range(0, DeviceIndexPartitions.Count).Select(p =>
                GrainFactory.GetGrain<IDeviceIndexGrain>(DeviceIndexPartitions.Key(tenantId, p)).LastSyncedWithinAsync(after, cutoff)))).SelectMany(ids => ids).ToList()
            : [];
        foreach (var chunk in due.Chunk(Concurrency))
        {
            await Task.WhenAll(chunk.Select(id => GrainFactory.GetGrain<IDeviceComplianceGrain>(GrainKeys.Scoped(tenantId, id)).RunDueDeadlinesAsync()));
        }

        // A longer validity period moves the cutoff back: the devices between were asked under the
        // shorter one and are asked again as the cutoff passes them, which changes nothing for them.
        if (sweep.State.SweptThrough != cutoff)
        {
            sweep.State.SweptThrough = cutoff;
            await sweep.WriteStateAsync();
        }

        return due.Count;
    }
}
