using System.Threading.Channels;
using Intune.Grains.Devices;
using Intune.Grains.Tenants;

namespace Intune.Grains.Tests.Devices;

[Collection(ClusterCollection.Name)]
public sealed class DeviceGrainCommandsTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private async Task<(IDeviceGrain Device, string Serial)> EnrollAsync(DevicePlatform platform = DevicePlatform.Windows)
    {
        var tenant = fixture.Grains.GetGrain<ITenantGrain>(Guid.NewGuid().ToString());
        await tenant.CreateAsync("Contoso", "na");
        var token = await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(1), null);
        var result = await fixture.Grains.GetGrain<IEnrollmentGrain>(0).EnrollAsync(token.Token!, TestDevices.Enrollment(platform));
        return (fixture.Grains.GetGrain<IDeviceGrain>(GrainKeys.Scoped(result.TenantId, result.DeviceId)), TestDevices.SerialOf(result));
    }

    [Theory]
    [InlineData(DeviceActionKind.RemoteLock, "remoteLock")]
    [InlineData(DeviceActionKind.SyncDevice, "syncDevice")]
    [InlineData(DeviceActionKind.RebootNow, "rebootNow")]
    [InlineData(DeviceActionKind.ResetPasscode, "resetPasscode")]
    [InlineData(DeviceActionKind.ShutDown, "shutDown")]
    public async Task RequestActionAsync_ThenCheckIns_PendingUntilAcknowledgedThenDone(DeviceActionKind kind, string actionName)
    {
        var (device, serial) = await EnrollAsync();
        var first = await device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), null));

        var queued = await device.RequestActionAsync(new DeviceActionRequest(kind));
        var delivered = await device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), first.AssignmentEtag));
        var command = Assert.Single(delivered.Commands!);
        var acknowledged = await device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), first.AssignmentEtag, [new DeviceCommandResult(command.CommandId, true)]));
        var view = await device.GetAsync();

        Assert.Equal(DeviceActionState.Pending, queued!.ActionState);
        Assert.Equal(actionName, queued.ActionName);
        Assert.False(delivered.NotModified);
        Assert.Equal(kind, command.Kind);
        Assert.True(acknowledged.NotModified);
        Assert.Empty(acknowledged.Commands!);
        var result = Assert.Single(view!.DeviceActionResults);
        Assert.Equal(DeviceActionState.Done, result.ActionState);
        Assert.Equal(ManagementState.Managed, view.ManagementState);
    }

    [Fact]
    public async Task RequestActionAsync_SameActionStillPending_QueuesItOnce()
    {
        var (device, serial) = await EnrollAsync();

        await device.RequestActionAsync(new DeviceActionRequest(DeviceActionKind.RemoteLock));
        await device.RequestActionAsync(new DeviceActionRequest(DeviceActionKind.RemoteLock));
        var checkIn = await device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), null));

        Assert.Single(checkIn.Commands!);
    }

    [Fact]
    public async Task RequestActionAsync_NeverEnrolledDevice_ReturnsNull()
    {
        var device = fixture.Grains.GetGrain<IDeviceGrain>(GrainKeys.Scoped(Guid.NewGuid().ToString(), Guid.NewGuid().ToString()));

        Assert.Null(await device.RequestActionAsync(new DeviceActionRequest(DeviceActionKind.Retire)));
    }

    [Theory]
    [InlineData(DevicePlatform.Windows)]
    [InlineData(DevicePlatform.IOS)]
    [InlineData(DevicePlatform.MacOS)]
    [InlineData(DevicePlatform.Android)]
    public async Task CheckInAsync_RetireAcknowledged_RemovesRecordAndRefusesCertificate(DevicePlatform platform)
    {
        var (device, serial) = await EnrollAsync(platform);
        await device.RequestActionAsync(new DeviceActionRequest(DeviceActionKind.Retire));
        var pending = await device.GetAsync();
        var delivered = await device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), null));

        var acknowledged = await device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), null, [new DeviceCommandResult(delivered.Commands![0].CommandId, true)]));

        Assert.Equal(ManagementState.RetirePending, pending!.ManagementState);
        Assert.True(acknowledged.Unenrolled);
        Assert.Null(await device.GetAsync());
        var error = await Assert.ThrowsAsync<DeviceAuthenticationException>(() => device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), null)));
        Assert.Contains("record was removed", error.Message);
    }

    [Fact]
    public async Task CheckInAsync_RetireFailed_KeepsDeviceAsRetireFailed()
    {
        var (device, serial) = await EnrollAsync();
        await device.RequestActionAsync(new DeviceActionRequest(DeviceActionKind.Retire));
        var delivered = await device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), null));

        await device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), null, [new DeviceCommandResult(delivered.Commands![0].CommandId, false, "user cancelled")]));
        var view = await device.GetAsync();

        Assert.Equal(ManagementState.RetireFailed, view!.ManagementState);
        Assert.Equal(DeviceActionState.Failed, Assert.Single(view.DeviceActionResults).ActionState);
    }

    [Fact]
    public async Task CheckInAsync_WipeKeepingEnrollmentData_DeviceStaysManaged()
    {
        var (device, serial) = await EnrollAsync(DevicePlatform.Windows);
        await device.RequestActionAsync(new DeviceActionRequest(DeviceActionKind.Wipe, KeepEnrollmentData: true, KeepUserData: true));
        var wipePending = await device.GetAsync();
        var delivered = await device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), null));

        var acknowledged = await device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), null, [new DeviceCommandResult(delivered.Commands![0].CommandId, true)]));
        var view = await device.GetAsync();

        Assert.Equal(ManagementState.WipePending, wipePending!.ManagementState);
        Assert.True(delivered.Commands[0].KeepEnrollmentData);
        Assert.True(delivered.Commands[0].KeepUserData);
        Assert.False(acknowledged.Unenrolled);
        Assert.Equal(ManagementState.Managed, view!.ManagementState);
    }

    [Fact]
    public async Task CheckInAsync_WipeAcknowledged_RemovesRecord()
    {
        var (device, serial) = await EnrollAsync(DevicePlatform.Android);
        await device.RequestActionAsync(new DeviceActionRequest(DeviceActionKind.Wipe));
        var delivered = await device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), null));

        var acknowledged = await device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), null, [new DeviceCommandResult(delivered.Commands![0].CommandId, true)]));

        Assert.True(acknowledged.Unenrolled);
        Assert.Null(await device.GetAsync());
        // The wiped device's certificate (its serial) no longer authenticates a check-in.
        await Assert.ThrowsAsync<DeviceAuthenticationException>(() => device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), null)));
    }

    [Fact]
    public async Task UpdateAsync_NotesAndOwnership_AreKept()
    {
        var (device, _) = await EnrollAsync();

        await device.UpdateAsync(new ManagedDeviceUpdate(Notes: "loaner", Ownership: DeviceOwnership.Personal));
        var view = await device.GetAsync();

        Assert.Equal("loaner", view!.Notes);
        Assert.Equal(DeviceOwnership.Personal, view.Ownership);
    }

    [Fact]
    public async Task DeleteAsync_EnrolledDevice_RemovesRecordAndCertificate()
    {
        var (device, serial) = await EnrollAsync();

        Assert.True(await device.DeleteAsync());

        Assert.Null(await device.GetAsync());
        Assert.False(await device.DeleteAsync());
        await Assert.ThrowsAsync<DeviceAuthenticationException>(() => device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), null)));
    }

    [Fact]
    public async Task NudgeAsync_DeviceNeverChecksIn_SendsThreeMoreNudgesThenStops()
    {
        var (device, serial) = await EnrollAsync();
        var listener = new RecordingListener();
        var reference = fixture.Grains.CreateObjectReference<IDeviceListener>(listener);
        await device.ListenAsync(serial, reference);

        await device.NudgeAsync("policy");
        var attempts = new List<DeviceNudge> { await listener.NextAsync() };
        for (var i = 0; i < DeviceGrain.MaxNudgeAttempts - 1; i++)
        {
            ClusterFixture.Time.Advance(DeviceGrain.NudgeRetryInterval);
            attempts.Add(await listener.NextAsync());
        }

        ClusterFixture.Time.Advance(DeviceGrain.NudgeRetryInterval);
        await device.NudgeAsync("next-change");
        var afterLimit = await listener.NextAsync();

        Assert.Equal([1, 2, 3, 4], attempts.Select(n => n.Attempt));
        Assert.All(attempts, n => Assert.Equal("policy", n.Reason));
        // No fifth attempt of the first change came before the next change's first nudge.
        Assert.Equal(new DeviceNudge("next-change", 1), afterLimit);
        fixture.Grains.DeleteObjectReference<IDeviceListener>(reference);
    }

    [Fact]
    public async Task NudgeAsync_DeviceChecksIn_StopsRetrying()
    {
        var (device, serial) = await EnrollAsync();
        var listener = new RecordingListener();
        var reference = fixture.Grains.CreateObjectReference<IDeviceListener>(listener);
        await device.ListenAsync(serial, reference);
        await device.NudgeAsync("retire");
        var first = await listener.NextAsync();

        await device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), null));
        ClusterFixture.Time.Advance(DeviceGrain.NudgeRetryInterval);
        await device.NudgeAsync("marker");
        var next = await listener.NextAsync();

        Assert.Equal(1, first.Attempt);
        Assert.Equal(new DeviceNudge("marker", 1), next);
        fixture.Grains.DeleteObjectReference<IDeviceListener>(reference);
    }

    [Fact]
    public async Task RequestActionAsync_ListeningDevice_IsNudged()
    {
        var (device, serial) = await EnrollAsync();
        var listener = new RecordingListener();
        var reference = fixture.Grains.CreateObjectReference<IDeviceListener>(listener);
        await device.ListenAsync(serial, reference);

        await device.RequestActionAsync(new DeviceActionRequest(DeviceActionKind.RebootNow));

        Assert.Equal(new DeviceNudge("rebootNow", 1), await listener.NextAsync());
        fixture.Grains.DeleteObjectReference<IDeviceListener>(reference);
    }

    [Fact]
    public async Task ListenAsync_WithStaleCertificate_IsRefused()
    {
        var (device, _) = await EnrollAsync();
        var reference = fixture.Grains.CreateObjectReference<IDeviceListener>(new RecordingListener());

        await Assert.ThrowsAsync<DeviceAuthenticationException>(() => device.ListenAsync("00FF", reference));
        fixture.Grains.DeleteObjectReference<IDeviceListener>(reference);
    }

    [Fact]
    public async Task RenewCertificateAsync_BeforeNewOneIsUsed_OldOneStillWorks()
    {
        var (device, serial) = await EnrollAsync();

        var renewal = await device.RenewCertificateAsync(serial, TestDevices.Csr());
        var withOld = await device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), null));

        Assert.NotEqual(serial, TestDevices.SerialOf(renewal.Certificate));
        Assert.False(withOld.Unenrolled);
    }

    [Fact]
    public async Task RenewCertificateAsync_NewOneUsed_OldOneRefused()
    {
        var (device, serial) = await EnrollAsync();
        var renewal = await device.RenewCertificateAsync(serial, TestDevices.Csr());
        var renewed = TestDevices.SerialOf(renewal.Certificate);

        await device.CheckInAsync(new DeviceCheckIn(renewed, new DeviceFacts(), null));

        var error = await Assert.ThrowsAsync<DeviceAuthenticationException>(() => device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), null)));
        Assert.Contains("no longer valid", error.Message);
        Assert.False((await device.CheckInAsync(new DeviceCheckIn(renewed, new DeviceFacts(), null))).Unenrolled);
    }

    [Fact]
    public async Task RenewCertificateAsync_InvalidCsr_IsRejectedAndKeepsCurrentCertificate()
    {
        var (device, serial) = await EnrollAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => device.RenewCertificateAsync(serial, [1, 2, 3]));

        await device.CheckInAsync(new DeviceCheckIn(serial, new DeviceFacts(), null));
    }

    private sealed class RecordingListener : IDeviceListener
    {
        private readonly Channel<DeviceNudge> _nudges = Channel.CreateUnbounded<DeviceNudge>();

        public Task NudgeAsync(DeviceNudge nudge)
        {
            _nudges.Writer.TryWrite(nudge);
            return Task.CompletedTask;
        }

        public async Task<DeviceNudge> NextAsync()
        {
            try
            {
                return await _nudges.Reader.ReadAsync().AsTask().WaitAsync(Wait);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"Expected a nudge within {Wait.TotalSeconds} s; none arrived.");
            }
        }
    }
}
