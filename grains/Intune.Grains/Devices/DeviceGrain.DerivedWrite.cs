namespace Intune.Grains.Devices;

/// <summary>
/// Write-behind for what a check-in only works out. When a policy reaches 100,000 devices, each
/// delivering check-in used to write the device's state at once: one storage request per device,
/// all in the wave, through the same store the check-ins use (the fan-out benchmark's bound). Yet
/// the delivered set is not news the service would lose: it follows from the tenant's delivery
/// facts (stored when the admin assigned) and the facts the device reported (stored when it
/// reported them), and the next check-in works it out again. So a check-in whose only changes are
/// of that kind answers at once and writes within <see cref="DerivedWriteDelay"/> (spread per
/// device, so a wave's writes do not land together), or when the grain is deactivated; any other
/// write of the device carries it earlier. The delay stays well inside a tenant move's drain
/// (<c>TenantDirectory:MoveDrainSeconds</c>, 40 s by default): a write behind a check-in that passed
/// the gateway just before the move was marked lands before the copy reads the rows.
/// </summary>
/// <remarks>
/// What must not wait is everything a lost write would get wrong rather than redo, so it is
/// written at once even when derived (<see cref="Recorded"/>): the overall compliance state (read
/// by conditional access and listed in the catalog), the tenant summary's counted state (a delta
/// counted twice would drift), the start of a noncompliance episode (a later start would lengthen
/// the grace period), fired actions and notifications, and the registered reminder.
/// </remarks>
internal sealed partial class DeviceGrain
{
    /// <summary>The shortest wait before a derived change is written; each device adds up to as much again.</summary>
    internal static readonly TimeSpan DerivedWriteDelay = TimeSpan.FromSeconds(15);

    private IGrainTimer? _derivedWrite;

    /// <summary>What a check-in must write at once when it changes (see the remarks on this class).</summary>
    private RecordedOutcome Recorded()
    {
        var episodes = 0;
        foreach (var status in State.ComplianceStatuses.Values)
        {
            if (status.NoncompliantSince is { } since)
            {
                // Order-free: the dictionary's order is not part of the outcome.
                episodes ^= HashCode.Combine(status.PolicyId, since);
            }
        }

        return new RecordedOutcome(
            State.ComplianceState,
            State.SummaryComplianceState,
            State.SummaryConfigurationState,
            episodes,
            State.FiredActions.Count,
            State.Notifications.Count,
            State.ReminderDeadline);
    }

    /// <summary>How soon a grain that found the silo's <see cref="Delivery.WriteBehindGate"/> full tries again (plus up to as much again).</summary>
    internal static readonly TimeSpan WriteBehindRetry = TimeSpan.FromSeconds(1);

    private void ScheduleDerivedWrite()
    {
        if (_derivedWrite is null)
        {
            writeBehind.Held();
            ArmDerivedWrite(Spread(DerivedWriteDelay));
        }
    }

    private void ArmDerivedWrite(TimeSpan delay)
    {
        _derivedWrite?.Dispose();
        _derivedWrite = this.RegisterGrainTimer(_ => WriteDerivedAsync(), delay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Nothing is held back any more: written, or no longer worth writing.</summary>
    private void ForgetDerivedWrite()
    {
        if (_derivedWrite is not null)
        {
            _derivedWrite.Dispose();
            _derivedWrite = null;
            writeBehind.Written();
        }
    }

    /// <summary>Between the span and twice it: a wave of deliveries writes over the span, not in one burst.</summary>
    private static TimeSpan Spread(TimeSpan span) => span + (span * Random.Shared.NextDouble());

    private async Task WriteDerivedAsync()
    {
        if (!State.IsEnrolled)
        {
            ForgetDerivedWrite();
            return;
        }

        if (!writeBehind.TryEnter())
        {
            ArmDerivedWrite(Spread(WriteBehindRetry));
            return;
        }

        try
        {
            await PersistAsync();
        }
        catch (Errors.UnavailableException)
        {
            // Storage refused: try again a delay later.
            ArmDerivedWrite(Spread(DerivedWriteDelay));
        }
        finally
        {
            writeBehind.Exit();
        }
    }

    /// <summary>
    /// The next version of the device's delivered set, which its check-in tag (etag) names. Not a
    /// plain counter: a version handed out in a set not yet written is lost with the activation,
    /// and counting again from the stored one could hand the same number out with other content,
    /// which the device would take for "not modified". The clock has moved on since, so a
    /// version taken from it is new.
    /// </summary>
    private long NextAssignmentVersion() => Math.Max(State.AssignmentVersion + 1, time.GetUtcNow().UtcTicks);

    private readonly record struct RecordedOutcome(
        ComplianceState ComplianceState,
        Policies.PolicyDeviceState? SummaryCompliance,
        Policies.PolicyDeviceState? SummaryConfiguration,
        int NoncompliantEpisodes,
        int FiredActions,
        int Notifications,
        DateTimeOffset? ReminderDeadline);
}
