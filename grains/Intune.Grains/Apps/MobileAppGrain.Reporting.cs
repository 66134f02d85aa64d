using Microsoft.Extensions.Logging;

namespace Intune.Grains.Apps;

/// <summary>
/// Install status: one row per device, moved by the devices' own reports at their check-ins,
/// counted incrementally (never by scanning devices) and written in batched rows at most every
/// <see cref="ReportWriteInterval"/>, as a policy's report is.
/// </summary>
internal sealed partial class MobileAppGrain
{
    internal static readonly TimeSpan ReportWriteInterval = TimeSpan.FromSeconds(10);

    private static readonly int StateCount = Enum.GetValues<AppInstallState>().Length;

    private readonly Dictionary<string, AppInstallStatus> _statuses = new(StringComparer.Ordinal);
    private readonly int[] _deviceCounts = new int[StateCount];
    private readonly HashSet<string> _dirtyStatuses = new(StringComparer.Ordinal);
    private IGrainTimer? _statusWrite;
    private bool _statusesLoaded;

    public async Task ReportInstallAsync(AppInstallStatus status)
    {
        if (app.State.App is null)
        {
            return;
        }

        await LoadStatusesAsync();
        if (_statuses.Remove(status.DeviceId, out var previous))
        {
            _deviceCounts[(int)previous.State!.Value]--;
        }

        if (status.State is { } state)
        {
            _statuses[status.DeviceId] = status;
            _deviceCounts[(int)state]++;
        }

        _dirtyStatuses.Add(status.DeviceId);
        _statusWrite ??= this.RegisterGrainTimer(_ => WriteStatusesAsync(), ReportWriteInterval, Timeout.InfiniteTimeSpan);
    }

    public async Task<IReadOnlyList<AppInstallStatus>> GetInstallStatusesAsync()
    {
        _ = Current;
        await LoadStatusesAsync();
        return _statuses.Values.OrderBy(s => s.DeviceId, StringComparer.Ordinal).ToList();
    }

    /// <summary>Device counts by state; a user counts once, in the worst state over their devices (failed, then pending, not installed, installed, not applicable).</summary>
    public async Task<AppInstallSummary> GetInstallSummaryAsync()
    {
        _ = Current;
        await LoadStatusesAsync();
        int Devices(params AppInstallState[] states) => states.Sum(s => _deviceCounts[(int)s]);
        var users = _statuses.Values.Where(s => s.UserPrincipalName is not null)
            .GroupBy(s => s.UserPrincipalName!, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.Select(s => s.State!.Value).MinBy(UserRank))
            .ToList();
        int Users(params AppInstallState[] states) => users.Count(states.Contains);
        return new AppInstallSummary(
            Devices(AppInstallState.Installed),
            Devices(AppInstallState.Failed, AppInstallState.UninstallFailed),
            Devices(AppInstallState.PendingInstall, AppInstallState.Unknown),
            Devices(AppInstallState.NotInstalled),
            Devices(AppInstallState.NotApplicable),
            Users(AppInstallState.Installed),
            Users(AppInstallState.Failed, AppInstallState.UninstallFailed),
            Users(AppInstallState.PendingInstall, AppInstallState.Unknown),
            Users(AppInstallState.NotInstalled),
            Users(AppInstallState.NotApplicable));
    }

    private static int UserRank(AppInstallState state) => state switch
    {
        AppInstallState.Failed or AppInstallState.UninstallFailed => 0,
        AppInstallState.PendingInstall or AppInstallState.Unknown => 1,
        AppInstallState.NotInstalled => 2,
        AppInstallState.Installed => 3,
        _ => 4,
    };

    /// <summary>Rows are read once per activation, on the first call that needs them (catalog calls never do).</summary>
    private async Task LoadStatusesAsync()
    {
        if (_statusesLoaded)
        {
            return;
        }

        foreach (var row in await statusStore.LoadAsync(TenantId, AppId))
        {
            // A report that arrived while loading is newer than its stored row.
            if (_statuses.TryAdd(row.DeviceId, row))
            {
                _deviceCounts[(int)row.State!.Value]++;
            }
        }

        _statusesLoaded = true;
    }

    /// <summary>Writes the rows that changed since the last write; on failure they stay pending for the next one.</summary>
    private async Task WriteStatusesAsync()
    {
        _statusWrite?.Dispose();
        _statusWrite = null;
        var changed = _dirtyStatuses.ToList();
        _dirtyStatuses.Clear();
        try
        {
            await statusStore.SaveAsync(TenantId, AppId, changed.Where(_statuses.ContainsKey).Select(id => _statuses[id]).ToList(), changed.Where(id => !_statuses.ContainsKey(id)).ToList());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _dirtyStatuses.UnionWith(changed);
            _statusWrite ??= this.RegisterGrainTimer(_ => WriteStatusesAsync(), ReportWriteInterval, Timeout.InfiniteTimeSpan);
            logger.LogWarning(ex, "App {AppId}: writing {Rows} status rows failed; retrying", AppId, changed.Count);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirtyStatuses.Count > 0)
        {
            await WriteStatusesAsync();
        }
    }
}
