using Intune.Grains.Apps;
using Intune.Grains.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace Intune.Grains.Devices;

/// <summary>
/// Apps on the device (docs/apps.md, "Delivery"): at a check-in whose tenant version moved, the
/// device works out each assigned app's intent from the silo's cache (no app grain is called), and
/// tells the apps' reports only of transitions. The answer carries an instruction per app: a store
/// identifier, or a short-lived read-only URL of the package with the keys and digest to verify it.
/// </summary>
internal sealed partial class DeviceGrain : IDeviceAppsGrain
{
    /// <summary>More apps than any real inventory holds; beyond it the report is cut, so one device's row stays small.</summary>
    internal const int MaxDetectedApps = 1_000;

    public Task<IReadOnlyList<DetectedApp>?> GetDetectedAppsAsync() =>
        Task.FromResult<IReadOnlyList<DetectedApp>?>(State.IsEnrolled ? State.DetectedApps.ToList() : null);

    /// <summary>Takes an inventory when it differs from the last: an unchanged one (the usual case) writes nothing.</summary>
    private bool ApplyInventory(IReadOnlyList<DetectedApp>? inventory)
    {
        if (inventory is null)
        {
            return false;
        }

        var apps = inventory.Take(MaxDetectedApps).ToList();
        if (apps.SequenceEqual(State.DetectedApps))
        {
            return false;
        }

        State.DetectedApps = apps;
        return true;
    }

    /// <summary>Reported for a device that required and uninstall both reach (Intune shows such an app as failed with a conflict).</summary>
    public const int IntentConflictErrorCode = unchecked((int)0x87D1041C);

    private async Task<bool> SyncAppsAsync(TenantDeliveries tenant)
    {
        var changed = false;
        var reports = new List<(string AppId, AppInstallStatus Status)>();
        var reaching = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (appId, app) in tenant.Apps)
        {
            var type = MobileAppTypes.Find(app.ODataType);
            var applies = type is not null && (type.Platform == DevicePlatform.Unknown || type.Platform == State.Platform
                || (type.Platform == DevicePlatform.IOS && State.Platform == DevicePlatform.IPadOS));
            var resolution = applies ? AppIntentResolver.Resolve(app.Assignments, tenant.Groups, State.DeviceId!, DeviceUsers) : AppResolution.None;
            if (resolution == AppResolution.None)
            {
                continue;
            }

            reaching.Add(appId);
            var action = resolution switch
            {
                AppResolution.Required => AppAction.Install,
                AppResolution.Uninstall => AppAction.Uninstall,
                AppResolution.Conflict => AppAction.Conflict,
                _ => AppAction.Available,
            };
            var (configurationId, configurationVersion, configuration) = ConfigurationFor(appId, tenant);
            if (State.Apps.TryGetValue(appId, out var held) && held.Version == app.Version && held.Action == action
                && held.ConfigurationId == configurationId && held.ConfigurationVersion == configurationVersion)
            {
                continue;
            }

            // A new action, or a new package to install, starts over from pending.
            var fresh = held is null || held.Action != action
                || (action == AppAction.Install && held.Package?.FileId != app.Package?.FileId);
            held ??= new DeviceAppState();
            held.Version = app.Version;
            held.Action = action;
            held.DisplayName = app.DisplayName;
            held.ODataType = app.ODataType;
            held.StoreIdentifier = app.StoreIdentifier;
            held.Package = app.Package;
            held.DetectionRulesJson = app.DetectionRulesJson;
            (held.ConfigurationId, held.ConfigurationVersion, held.Configuration) = (configurationId, configurationVersion, configuration);
            if (fresh)
            {
                // Until the device says otherwise: pending what it must do, not installed what it may.
                (held.InstallState, held.ErrorCode) = action switch
                {
                    AppAction.Install => (AppInstallState.PendingInstall, 0),
                    AppAction.Conflict => (AppInstallState.Failed, IntentConflictErrorCode),
                    AppAction.Uninstall => (AppInstallState.Unknown, 0),
                    _ => (AppInstallState.NotInstalled, 0),
                };
                reports.Add((appId, AppStatus(held)));
            }

            State.Apps[appId] = held;
            changed = true;
        }

        foreach (var gone in State.Apps.Keys.Where(id => !reaching.Contains(id)).ToList())
        {
            State.Apps.Remove(gone);
            reports.Add((gone, AppStatus(null)));
            changed = true;
        }

        await Task.WhenAll(reports.Select(r => ReportToAppAsync(r.AppId, r.Status)));
        return changed;
    }

    /// <summary>Takes the device's install states; only transitions are stored and reported.</summary>
    private async Task<bool> ApplyAppReportsAsync(IReadOnlyList<AppInstallReport> reports)
    {
        var transitions = new List<(string AppId, AppInstallStatus Status)>();
        foreach (var report in reports)
        {
            if (!State.Apps.TryGetValue(report.AppId, out var held) || !Enum.IsDefined(report.State)
                || (held.InstallState == report.State && held.ErrorCode == report.ErrorCode))
            {
                continue;
            }

            held.InstallState = report.State;
            held.ErrorCode = report.ErrorCode;
            transitions.Add((report.AppId, AppStatus(held)));
        }

        await Task.WhenAll(transitions.Select(t => ReportToAppAsync(t.AppId, t.Status)));
        return transitions.Count > 0;
    }

    /// <summary>The instructions of a modified answer; download URLs are minted per answer (no storage request: a SAS is signed locally).</summary>
    private IReadOnlyList<AppInstruction> AppInstructions()
    {
        if (State.Apps.Count == 0)
        {
            return [];
        }

        var store = ServiceProvider.GetRequiredService<IAppContentStore>();
        var expires = time.GetUtcNow() + AppContentLimits.DownloadUriLifetime;
        return State.Apps
            .OrderBy(a => a.Key, StringComparer.Ordinal)
            .Select(a => new AppInstruction
            {
                AppId = a.Key,
                DisplayName = a.Value.DisplayName,
                ODataType = a.Value.ODataType,
                Action = a.Value.Action,
                Version = a.Value.Version,
                StoreIdentifier = a.Value.StoreIdentifier,
                DownloadUrl = a.Value.Package is { } package && a.Value.Action is AppAction.Install or AppAction.Available ? store.DownloadUri(package.BlobName, expires).ToString() : null,
                DownloadUrlExpiresOn = a.Value.Package is not null ? expires : null,
                Size = a.Value.Package?.Size ?? 0,
                SizeEncrypted = a.Value.Package?.SizeEncrypted ?? 0,
                EncryptionInfo = a.Value.Package?.EncryptionInfo,
                DetectionRulesJson = a.Value.DetectionRulesJson,
                ConfigurationId = a.Value.ConfigurationId,
                Configuration = a.Value.Configuration,
            })
            .ToList();
    }

    /// <summary>
    /// The configuration of an app on this device: the one assigned configuration that targets the
    /// app and reaches the device, with its tokens replaced. When two reach it, neither is delivered
    /// (Intune reports such configurations as conflicting).
    /// </summary>
    private (string? Id, int Version, string? Text) ConfigurationFor(string appId, TenantDeliveries tenant)
    {
        var reaching = tenant.AppConfigurations.Values
            .Where(c => c.TargetedMobileApps.Contains(appId, StringComparer.Ordinal) && DeliveryTargeting.Reaches(c.Assignments, tenant.Groups, State.DeviceId!, DeviceUsers))
            .Take(2)
            .ToList();
        if (reaching.Count != 1)
        {
            return (null, 0, null);
        }

        var chosen = reaching[0];
        var values = AppConfigurationTokens.For(State.DeviceId!, State.DeviceName, State.UserPrincipalName, State.Hardware.SerialNumber, State.Hardware.Imei);
        var text = chosen.PayloadJson is { } payload ? AppConfigurationTokens.Json(payload, values)
            : chosen.SettingXml is { } xml ? AppConfigurationTokens.Xml(xml, values)
            : chosen.SettingsJson is { } settings ? AppConfigurationTokens.Json(settings, values)
            : null;
        return (chosen.Id, chosen.Version, text);
    }

    private AppInstallStatus AppStatus(DeviceAppState? held) =>
        new(State.DeviceId!, State.DeviceName, State.UserPrincipalName, held?.InstallState, held?.ErrorCode ?? 0, time.GetUtcNow());

    private Task ReportToAppAsync(string appId, AppInstallStatus status) =>
        GrainFactory.GetGrain<IMobileAppGrain>(GrainKeys.Scoped(State.TenantId!, appId)).ReportInstallAsync(status);
}
