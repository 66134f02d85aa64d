using Microsoft.Extensions.Logging;

namespace Intune.Grains.Policies;

/// <summary>
/// Reporting: one row per device, moved by the devices' own reports at their check-ins and
/// written in batched rows (at most every <see cref="ReportWriteInterval"/>). Devices the
/// assignments reach that have not reported since are counted as pending.
/// </summary>
internal sealed partial class PolicyGrain
{
    /// <summary>The report is written at most this often; it is rebuilt from device reports if lost.</summary>
    internal static readonly TimeSpan ReportWriteInterval = TimeSpan.FromSeconds(10);

    private readonly int[] _deviceCounts = new int[PolicyDeviceStates.Count];
    private readonly Dictionary<string, Dictionary<string, PolicyDeviceState>> _devicesByUser = new(StringComparer.OrdinalIgnoreCase);
    private readonly int[] _userCounts = new int[PolicyDeviceStates.Count];
    private readonly Dictionary<string, PolicyDeviceStatusRow> _rows = new(StringComparer.Ordinal);
    // Devices whose row changed (or went) since the last write.
    private readonly HashSet<string> _dirtyRows = new(StringComparer.Ordinal);
    private IGrainTimer? _reportWrite;
    // The newest device report, as the rows record it, so the same value is read back after a
    // restart (a removal's own time is not kept once its row is gone).
    private DateTimeOffset _lastReportUpdate;

    private async Task LoadReportAsync(CancellationToken cancellationToken)
    {
        foreach (var row in await reportStore.LoadAsync(TenantId, PolicyId, cancellationToken))
        {
            _rows[row.DeviceId] = row;
            Count(row, +1);
            _lastReportUpdate = Max(_lastReportUpdate, row.LastReportedDateTime);
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;

    private async Task DeleteReportAsync()
    {
        _reportWrite?.Dispose();
        _reportWrite = null;
        _dirtyRows.Clear();
        await reportStore.DeleteAllAsync(TenantId, PolicyId);
    }

    public Task ReportStatusAsync(PolicyStatusReport status)
    {
        if (policy.State.Current is null)
        {
            // A device dropping a deleted policy: nothing to report on.
            return Task.CompletedTask;
        }

        if (_rows.Remove(status.DeviceId, out var previous))
        {
            Count(previous, -1);
        }

        if (status.State is { } state)
        {
            var row = new PolicyDeviceStatusRow(status.DeviceId, status.DeviceName, status.DeviceModel, status.UserPrincipalName, state, status.GracePeriodExpiration, status.LastReportedDateTime);
            _rows[status.DeviceId] = row;
            Count(row, +1);
        }

        _dirtyRows.Add(status.DeviceId);

        _lastReportUpdate = Max(_lastReportUpdate, status.LastReportedDateTime);
        _reportWrite ??= ScheduleReportWrite();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PolicyDeviceStatusRow>> GetDeviceStatusesAsync() =>
        Task.FromResult<IReadOnlyList<PolicyDeviceStatusRow>>(_rows.Values.OrderBy(r => r.DeviceId, StringComparer.Ordinal).ToList());

    /// <summary>Devices reached that have not reported yet (not checked in since the change) count as pending, not missing.</summary>
    public async Task<PolicyOverview> GetDeviceOverviewAsync()
    {
        var overview = Overview(_deviceCounts);
        var notReported = await GetTargetedDeviceCountAsync() - _rows.Count;
        return notReported > 0 ? overview with { PendingCount = overview.PendingCount + notReported } : overview;
    }

    public Task<IReadOnlyList<PolicyUserStatusRow>> GetUserStatusesAsync() =>
        Task.FromResult<IReadOnlyList<PolicyUserStatusRow>>(_devicesByUser
            .OrderBy(u => u.Key, StringComparer.OrdinalIgnoreCase)
            .Select(u => new PolicyUserStatusRow(
                u.Key,
                u.Value.Values.Worst(),
                u.Value.Count,
                u.Value.Keys.Max(d => _rows.TryGetValue(d, out var row) ? row.LastReportedDateTime : default)))
            .ToList());

    public Task<PolicyOverview> GetUserOverviewAsync() => Task.FromResult(Overview(_userCounts));

    // The callback disposes its own one-shot timer first, which cancels the timer's token: the
    // write must not take that token or it never happens.
    private IGrainTimer ScheduleReportWrite() =>
        this.RegisterGrainTimer(_ => WriteReportAsync(CancellationToken.None), ReportWriteInterval, Timeout.InfiniteTimeSpan);

    /// <summary>Writes the rows that changed since the last write; on failure they stay pending for the next one.</summary>
    private async Task WriteReportAsync(CancellationToken cancellationToken)
    {
        _reportWrite?.Dispose();
        _reportWrite = null;
        var changed = _dirtyRows.ToList();
        _dirtyRows.Clear();
        var upserts = changed.Where(_rows.ContainsKey).Select(id => _rows[id]).ToList();
        var removals = changed.Where(id => !_rows.ContainsKey(id)).ToList();
        try
        {
            await reportStore.SaveAsync(TenantId, PolicyId, upserts, removals, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _dirtyRows.UnionWith(changed);
            _reportWrite ??= ScheduleReportWrite();
            logger.LogWarning(ex, "Policy {PolicyId}: writing {Rows} report rows failed; retrying", PolicyId, changed.Count);
        }
    }

    /// <summary>Moves the device and user counters for one row in or out of the report.</summary>
    private void Count(PolicyDeviceStatusRow row, int delta)
    {
        _deviceCounts[(int)row.State] += delta;
        if (row.UserPrincipalName is not { } upn)
        {
            return;
        }

        if (_devicesByUser.TryGetValue(upn, out var devices))
        {
            _userCounts[(int)devices.Values.Worst()]--;
        }
        else
        {
            devices = _devicesByUser[upn] = [];
        }

        if (delta > 0)
        {
            devices[row.DeviceId] = row.State;
        }
        else
        {
            devices.Remove(row.DeviceId);
        }

        if (devices.Count == 0)
        {
            _devicesByUser.Remove(upn);
        }
        else
        {
            _userCounts[(int)devices.Values.Worst()]++;
        }
    }

    private PolicyOverview Overview(int[] counts) => new(
        PendingCount: counts[(int)PolicyDeviceState.Unknown],
        NotApplicableCount: counts[(int)PolicyDeviceState.NotApplicable],
        SuccessCount: counts[(int)PolicyDeviceState.Compliant] + counts[(int)PolicyDeviceState.Remediated],
        ErrorCount: counts[(int)PolicyDeviceState.Error],
        FailedCount: counts[(int)PolicyDeviceState.NonCompliant] + counts[(int)PolicyDeviceState.InGracePeriod],
        ConflictCount: counts[(int)PolicyDeviceState.Conflict],
        ConfigurationVersion: policy.State.Current?.Version ?? 0,
        LastUpdateDateTime: _lastReportUpdate);

}
