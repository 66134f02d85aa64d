namespace Intune.Grains.Devices;

/// <summary>
/// The device's durable wake-up: a reminder that calls the Device grain's deadline check. The
/// precise firing is the device's own grain timer; this only matters after a deactivation.
/// </summary>
internal sealed class ComplianceDeadlineGrain(TimeProvider time) : Grain, IComplianceDeadlineGrain, IRemindable
{
    private const string ReminderName = "compliance-deadline";
    private static readonly TimeSpan MinimumDue = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Daily = TimeSpan.FromDays(1);

    public async Task ScheduleAsync(DateTimeOffset? wake, bool daily)
    {
        if (wake is null && !daily)
        {
            if (await this.GetReminder(ReminderName) is { } existing)
            {
                await this.UnregisterReminder(existing);
            }

            return;
        }

        var due = wake is { } at ? at - time.GetUtcNow() : Daily;
        await this.RegisterOrUpdateReminder(ReminderName, due < MinimumDue ? MinimumDue : due, Daily);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        GrainFactory.GetGrain<IDeviceComplianceGrain>(this.GetPrimaryKeyString()).RunDueDeadlinesAsync();
}
