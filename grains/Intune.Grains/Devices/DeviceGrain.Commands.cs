using System.Security.Cryptography.X509Certificates;
using Intune.Grains.Certificates;
using Intune.Grains.Durability;
using Intune.Grains.Users;
using Microsoft.Extensions.Logging;

namespace Intune.Grains.Devices;

/// <summary>
/// Remote actions, the push channel (Listen + nudges) and certificate renewal. Commands are
/// durable; listeners and nudge retries are in memory only: a device that reconnects checks in
/// anyway and gets every pending command then, so losing them on deactivation loses nothing.
/// </summary>
internal sealed partial class DeviceGrain
{
    /// <summary>Time between nudge attempts while the device has not checked in.</summary>
    internal static readonly TimeSpan NudgeRetryInterval = TimeSpan.FromSeconds(30);

    /// <summary>The first nudge plus three more, as Intune's push does.</summary>
    internal const int MaxNudgeAttempts = 4;

    /// <summary>Finished actions kept for the admin's deviceActionResults.</summary>
    private const int ActionHistory = 20;

    private readonly Dictionary<IDeviceListener, DateTimeOffset> _listeners = [];
    private ITimer? _nudgeTimer;
    private long _nudgeGeneration;
    private int _nudgeAttempt;
    private string _nudgeReason = string.Empty;

    public async Task<DeviceActionResult?> RequestActionAsync(DeviceActionRequest request)
    {
        if (!State.IsEnrolled)
        {
            return null;
        }

        if (!Enum.IsDefined(request.Kind))
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Kind, "Unknown remote action.");
        }

        var action = State.Actions.FirstOrDefault(a => a.Kind == request.Kind && a.State == DeviceActionState.Pending);
        if (action is null)
        {
            // A wipe whose write failed must not stay queued in memory to be delivered anyway.
            var actionsBefore = State.Actions.ToList();
            var managementBefore = State.ManagementState;
            var now = time.GetUtcNow();
            action = new DeviceActionRecord
            {
                CommandId = Guid.NewGuid().ToString(),
                Kind = request.Kind,
                KeepEnrollmentData = request.KeepEnrollmentData,
                KeepUserData = request.KeepUserData,
                MacOsUnlockCode = request.MacOsUnlockCode,
                State = DeviceActionState.Pending,
                StartDateTime = now,
                LastUpdatedDateTime = now,
            };
            State.Actions.Add(action);
            State.ManagementState = request.Kind switch
            {
                DeviceActionKind.Retire => ManagementState.RetirePending,
                DeviceActionKind.Wipe => ManagementState.WipePending,
                _ => State.ManagementState,
            };
            TrimActionHistory();
            await PersistAsync(() =>
            {
                State.Actions = actionsBefore;
                State.ManagementState = managementBefore;
            });
            logger.LogInformation("Queued {Action} for device {DeviceId}", ActionName(request.Kind), State.DeviceId);
        }

        await NudgeAsync(ActionName(request.Kind));
        return ToResult(action);
    }

    public async Task<ManagedDeviceView?> UpdateAsync(ManagedDeviceUpdate update)
    {
        if (!State.IsEnrolled)
        {
            return null;
        }

        var (notesBefore, ownershipBefore) = (State.Notes, State.Ownership);
        var changed = false;
        if (update.Notes is { } notes && notes != State.Notes)
        {
            State.Notes = notes;
            changed = true;
        }

        if (update.Ownership is { } ownership && ownership != State.Ownership)
        {
            State.Ownership = ownership;
            changed = true;
        }

        if (changed)
        {
            await PersistAsync(() => (State.Notes, State.Ownership) = (notesBefore, ownershipBefore));
        }

        return ToView();
    }

    public async Task<bool> DeleteAsync()
    {
        if (!State.IsEnrolled)
        {
            return false;
        }

        await RemoveRecordAsync();
        return true;
    }

    public Task NudgeAsync(string reason)
    {
        if (!State.IsEnrolled)
        {
            return Task.CompletedTask;
        }

        StopNudging();
        _nudgeGeneration++;
        _nudgeAttempt = 1;
        _nudgeReason = reason;
        SendNudge();
        var self = this.AsReference<IDeviceGrain>();
        var generation = _nudgeGeneration;
        // A TimeProvider timer (not a grain timer) so tests drive retries with FakeTimeProvider;
        // the callback re-enters through the grain's own queue. One-shot, re-armed per attempt, so
        // a long jump of the clock fires one retry, not one per elapsed interval.
        _nudgeTimer = time.CreateTimer(_ => self.RetryNudgeAsync(generation).Ignore(), null, NudgeRetryInterval, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public Task RetryNudgeAsync(long generation)
    {
        if (generation != _nudgeGeneration || _nudgeAttempt == 0)
        {
            return Task.CompletedTask;
        }

        _nudgeAttempt++;
        SendNudge();
        if (_nudgeAttempt >= MaxNudgeAttempts)
        {
            StopNudging();
        }
        else
        {
            _nudgeTimer?.Change(NudgeRetryInterval, Timeout.InfiniteTimeSpan);
        }

        return Task.CompletedTask;
    }

    public async Task ListenAsync(string certificateSerialNumber, IDeviceListener listener)
    {
        if (Authenticate(certificateSerialNumber))
        {
            await PersistAsync();
        }

        _listeners[listener] = time.GetUtcNow() + DeviceListenerLease.Lifetime;
    }

    public Task StopListeningAsync(IDeviceListener listener)
    {
        _listeners.Remove(listener);
        return Task.CompletedTask;
    }

    public async Task<DeviceCertificateRenewal> RenewCertificateAsync(string certificateSerialNumber, byte[] certificateSigningRequest)
    {
        Authenticate(certificateSerialNumber);
        CertificateAuthority.ParseSigningRequest(certificateSigningRequest);
        using var certificate = await authority.IssueDeviceCertificateAsync(certificateSigningRequest, State.TenantId!, State.DeviceId!);
        var pendingBefore = (State.PendingCertificateSerialNumber, State.PendingCertificateNotAfter);
        State.PendingCertificateSerialNumber = certificate.SerialNumber;
        State.PendingCertificateNotAfter = certificate.NotAfter.ToUniversalTime();
        // Unsaved, the new certificate would be refused at its first use: the device keeps its current one.
        await PersistAsync(() => (State.PendingCertificateSerialNumber, State.PendingCertificateNotAfter) = pendingBefore);
        logger.LogInformation("Issued a renewed certificate to device {DeviceId}", State.DeviceId);
        var ca = await authority.GetCertificateAsync();
        return new DeviceCertificateRenewal(certificate.Export(X509ContentType.Cert), ca.Export(X509ContentType.Cert), State.PendingCertificateNotAfter);
    }

    /// <summary>
    /// Accepts the current certificate, or the renewed one, which then replaces the current one
    /// for good. Returns true when that promotion happened (the state must be persisted).
    /// </summary>
    private bool Authenticate(string certificateSerialNumber)
    {
        if (!State.IsEnrolled)
        {
            throw new DeviceAuthenticationException("This device is not enrolled (or its record was removed by retire, wipe or delete). Enroll again.");
        }

        if (string.Equals(certificateSerialNumber, State.CertificateSerialNumber, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (State.PendingCertificateSerialNumber is { } renewed && string.Equals(certificateSerialNumber, renewed, StringComparison.OrdinalIgnoreCase))
        {
            State.CertificateSerialNumber = renewed;
            State.CertificateNotAfter = State.PendingCertificateNotAfter;
            State.PendingCertificateSerialNumber = null;
            State.PendingCertificateNotAfter = default;
            return true;
        }

        throw new DeviceAuthenticationException("The presented certificate is no longer valid for this device.");
    }

    private List<DeviceCommand> PendingCommands() => State.Actions
        .Where(a => a.State == DeviceActionState.Pending)
        .Select(a => new DeviceCommand(a.CommandId, a.Kind, a.KeepEnrollmentData, a.KeepUserData, a.MacOsUnlockCode))
        .ToList();

    /// <summary>
    /// Records the device's answers. Results for unknown or already finished commands are
    /// ignored, so a device may repeat them. <paramref name="unenroll"/> is set when a finished
    /// retire or wipe ends the device's management.
    /// </summary>
    private bool ApplyCommandResults(IReadOnlyList<DeviceCommandResult>? results, DateTimeOffset now, out bool unenroll)
    {
        unenroll = false;
        var changed = false;
        foreach (var result in results ?? [])
        {
            var action = State.Actions.FirstOrDefault(a => a.CommandId == result.CommandId && a.State == DeviceActionState.Pending);
            if (action is null)
            {
                continue;
            }

            action.State = result.Succeeded ? DeviceActionState.Done : DeviceActionState.Failed;
            action.Error = result.Error;
            action.LastUpdatedDateTime = now;
            changed = true;
            switch (action.Kind, result.Succeeded)
            {
                case (DeviceActionKind.Retire, true):
                    unenroll = true;
                    break;
                case (DeviceActionKind.Wipe, true) when !action.KeepEnrollmentData:
                    unenroll = true;
                    break;
                case (DeviceActionKind.Wipe, true):
                    // A wipe that keeps enrollment data leaves a reset device that stays managed.
                    State.ManagementState = ManagementState.Managed;
                    break;
                case (DeviceActionKind.Retire, false):
                    State.ManagementState = ManagementState.RetireFailed;
                    break;
                case (DeviceActionKind.Wipe, false):
                    State.ManagementState = ManagementState.WipeFailed;
                    break;
            }
        }

        if (changed)
        {
            TrimActionHistory();
        }

        return changed;
    }

    /// <summary>Deletes the record: the certificate's serial goes with it, so every later call is refused.</summary>
    private async Task RemoveRecordAsync()
    {
        var tenantId = State.TenantId!;
        var deviceId = State.DeviceId!;
        var userPrincipalName = State.UserPrincipalName;
        StopNudging();
        _listeners.Clear();
        // Out of every report, summary and index before the record goes.
        await RemoveFromComplianceAsync();
        await device.ClearOrRollBackAsync(GrainContext);
        device.State = new DeviceState();
        await catalog.RemoveAsync(tenantId, deviceId);
        _catalogListed = null;
        if (!string.IsNullOrWhiteSpace(userPrincipalName))
        {
            // The user may enroll another device in its place.
            await GrainFactory.GetGrain<IUserGrain>(UserDevices.Key(tenantId, userPrincipalName)).ReleaseDeviceAsync(deviceId);
        }

        logger.LogInformation("Removed device {DeviceId} of tenant {TenantId}", deviceId, tenantId);
    }

    private void SendNudge()
    {
        var now = time.GetUtcNow();
        foreach (var (listener, expires) in _listeners.ToList())
        {
            if (expires <= now)
            {
                _listeners.Remove(listener);
                continue;
            }

            try
            {
                listener.NudgeAsync(new DeviceNudge(_nudgeReason, _nudgeAttempt)).Ignore();
                Telemetry.DeviceMetrics.NudgeSent();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A listener whose gateway is gone: drop it; the device reconnects and checks in.
                logger.LogDebug(ex, "Dropping a listener of device {DeviceId}", State.DeviceId);
                _listeners.Remove(listener);
            }
        }
    }

    private void StopNudging()
    {
        _nudgeTimer?.Dispose();
        _nudgeTimer = null;
        _nudgeAttempt = 0;
    }

    private void TrimActionHistory()
    {
        var finished = State.Actions.Where(a => a.State != DeviceActionState.Pending).OrderBy(a => a.LastUpdatedDateTime).ToList();
        foreach (var old in finished.Take(Math.Max(0, finished.Count - ActionHistory)))
        {
            State.Actions.Remove(old);
        }
    }

    private static DeviceActionResult ToResult(DeviceActionRecord action) =>
        new(ActionName(action.Kind), action.State, action.StartDateTime, action.LastUpdatedDateTime);

    /// <summary>The <c>actionName</c> Graph reports: the action's name as in its URL.</summary>
    internal static string ActionName(DeviceActionKind kind) => kind switch
    {
        DeviceActionKind.RemoteLock => "remoteLock",
        DeviceActionKind.Wipe => "wipe",
        DeviceActionKind.Retire => "retire",
        DeviceActionKind.SyncDevice => "syncDevice",
        DeviceActionKind.RebootNow => "rebootNow",
        DeviceActionKind.ResetPasscode => "resetPasscode",
        DeviceActionKind.ShutDown => "shutDown",
        _ => kind.ToString(),
    };
}
