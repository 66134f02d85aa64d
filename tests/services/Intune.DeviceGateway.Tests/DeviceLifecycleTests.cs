using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Grpc.Core;
using Intune.Device.V1;
using Intune.DeviceSim;

namespace Intune.DeviceGateway.Tests;

/// <summary>
/// Remote actions, Listen/nudge and certificate renewal end to end: Graph REST in, the device
/// gateway over mutual TLS out, on Azurite.
/// </summary>
public sealed class DeviceLifecycleTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private ScaleUnitTestHost Host => fixture.Host;

    private async Task<(string TenantId, SimulatedDevice Device, HttpClient Admin)> EnrolledAsync(Platform platform = Platform.Windows, params string[] roles)
    {
        var (tenantId, token) = await Host.CreateTenantAsync();
        var device = Host.NewDevice(platform);
        await device.EnrollAsync(token);
        await device.CheckInAsync();
        return (tenantId, device, Host.AdminClient(Host.AdminToken(tenantId, roles)));
    }

    private static async Task<JsonObject> GetDeviceAsync(HttpClient admin, string deviceId) =>
        (await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/managedDevices/{deviceId}"))!;

    [Theory]
    [InlineData("remoteLock", CommandType.RemoteLock)]
    [InlineData("syncDevice", CommandType.SyncDevice)]
    [InlineData("rebootNow", CommandType.RebootNow)]
    [InlineData("resetPasscode", CommandType.ResetPasscode)]
    [InlineData("shutDown", CommandType.ShutDown)]
    public async Task Action_Posted_IsDeliveredAtCheckInAndReportedDone(string action, CommandType expected)
    {
        var (_, device, admin) = await EnrolledAsync(Platform.Ios);
        using var _ = device;
        using var __ = admin;

        var posted = await admin.PostAsync($"deviceManagement/managedDevices/{device.DeviceId}/{action}", content: null);
        var pending = await GetDeviceAsync(admin, device.DeviceId!);
        var delivered = await device.CheckInAsync();
        await device.SyncAsync();
        var done = await GetDeviceAsync(admin, device.DeviceId!);

        Assert.Equal(HttpStatusCode.NoContent, posted.StatusCode);
        var pendingResult = Assert.Single(pending["deviceActionResults"]!.AsArray())!;
        Assert.Equal(action, (string?)pendingResult["actionName"]);
        Assert.Equal("pending", (string?)pendingResult["actionState"]);
        Assert.False(delivered.NotModified);
        Assert.Equal(expected, Assert.Single(delivered.Commands).Type);
        Assert.Equal([expected], device.ExecutedCommands);
        var doneResult = Assert.Single(done["deviceActionResults"]!.AsArray())!;
        Assert.Equal("done", (string?)doneResult["actionState"]);
        Assert.True(DateTimeOffset.Parse((string)doneResult["lastUpdatedDateTime"]!) >= DateTimeOffset.Parse((string)doneResult["startDateTime"]!));
        Assert.Equal("managed", (string?)done["managementState"]);
    }

    [Fact]
    public async Task ResetPasscode_OnWindows_IsReportedFailed()
    {
        var (_, device, admin) = await EnrolledAsync(Platform.Windows);
        using var _ = device;
        using var __ = admin;

        await admin.PostAsync($"deviceManagement/managedDevices/{device.DeviceId}/resetPasscode", content: null);
        await device.SyncAsync();
        var view = await GetDeviceAsync(admin, device.DeviceId!);

        Assert.Equal("failed", (string?)view["deviceActionResults"]![0]!["actionState"]);
    }

    [Theory]
    [InlineData(Platform.Windows)]
    [InlineData(Platform.Ios)]
    [InlineData(Platform.Macos)]
    [InlineData(Platform.Android)]
    public async Task Retire_Acknowledged_RemovesDeviceAndRevokesCertificate(Platform platform)
    {
        var (_, device, admin) = await EnrolledAsync(platform);
        using var _ = device;
        using var __ = admin;

        var posted = await admin.PostAsync($"deviceManagement/managedDevices/{device.DeviceId}/retire", content: null);
        var pending = await GetDeviceAsync(admin, device.DeviceId!);
        var final = await device.SyncAsync();

        Assert.Equal(HttpStatusCode.NoContent, posted.StatusCode);
        Assert.Equal("retirePending", (string?)pending["managementState"]);
        Assert.True(final.Unenrolled);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"deviceManagement/managedDevices/{device.DeviceId}")).StatusCode);
        var list = await admin.GetFromJsonAsync<JsonObject>("deviceManagement/managedDevices");
        Assert.Empty(list!["value"]!.AsArray());
        var error = await Assert.ThrowsAsync<RpcException>(() => device.CheckInAsync());
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("record was removed", error.Status.Detail);
    }

    [Theory]
    [InlineData(Platform.Windows)]
    [InlineData(Platform.Ios)]
    [InlineData(Platform.Macos)]
    [InlineData(Platform.Android)]
    public async Task Wipe_Acknowledged_RemovesDeviceAndRevokesCertificate(Platform platform)
    {
        var (_, device, admin) = await EnrolledAsync(platform);
        using var _ = device;
        using var __ = admin;

        var posted = await admin.PostAsJsonAsync($"deviceManagement/managedDevices/{device.DeviceId}/wipe", new { keepEnrollmentData = false, keepUserData = false });
        var pending = await GetDeviceAsync(admin, device.DeviceId!);
        var delivered = await device.CheckInAsync();
        var final = await device.SyncAsync();

        Assert.Equal(HttpStatusCode.NoContent, posted.StatusCode);
        Assert.Equal("wipePending", (string?)pending["managementState"]);
        Assert.Equal(CommandType.Wipe, Assert.Single(delivered.Commands).Type);
        Assert.True(final.Unenrolled);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"deviceManagement/managedDevices/{device.DeviceId}")).StatusCode);
        var error = await Assert.ThrowsAsync<RpcException>(() => device.CheckInAsync());
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task Wipe_KeepingEnrollmentData_DeviceStaysManaged()
    {
        var (_, device, admin) = await EnrolledAsync(Platform.Windows);
        using var _ = device;
        using var __ = admin;

        await admin.PostAsJsonAsync($"deviceManagement/managedDevices/{device.DeviceId}/wipe", new { keepEnrollmentData = true, keepUserData = true, persistEsimDataPlan = false, macOsUnlockCode = (string?)null });
        var delivered = await device.CheckInAsync();
        var final = await device.SyncAsync();
        var view = await GetDeviceAsync(admin, device.DeviceId!);

        var command = Assert.Single(delivered.Commands);
        Assert.True(command.KeepEnrollmentData);
        Assert.True(command.KeepUserData);
        Assert.False(final.Unenrolled);
        Assert.Equal("managed", (string?)view["managementState"]);
        Assert.Equal("done", (string?)view["deviceActionResults"]![0]!["actionState"]);
    }

    [Fact]
    public async Task Wipe_WithNullParameters_TakesGraphDefaults()
    {
        var (_, device, admin) = await EnrolledAsync(Platform.Android);
        using var _ = device;
        using var __ = admin;

        var response = await admin.PostAsync(
            $"deviceManagement/managedDevices/{device.DeviceId}/wipe",
            new StringContent("""{"keepEnrollmentData":null,"keepUserData":null,"macOsUnlockCode":null,"persistEsimDataPlan":null}""", Encoding.UTF8, "application/json"));
        var delivered = await device.CheckInAsync();

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var command = Assert.Single(delivered.Commands);
        Assert.False(command.KeepEnrollmentData);
        Assert.False(command.KeepUserData);
    }

    [Fact]
    public async Task Wipe_WithUnknownParameter_Is400()
    {
        var (_, device, admin) = await EnrolledAsync();
        using var _ = device;
        using var __ = admin;

        var response = await admin.PostAsync(
            $"deviceManagement/managedDevices/{device.DeviceId}/wipe",
            new StringContent("""{"keepEverything":true}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;
        Assert.Contains("keepEverything", (string?)error["message"]);
    }

    [Fact]
    public async Task Action_WithoutRemoteTaskPermission_Is403()
    {
        var (_, device, admin) = await EnrolledAsync(Platform.Windows, "Read Only Operator");
        using var _ = device;
        using var __ = admin;

        var response = await admin.PostAsync($"deviceManagement/managedDevices/{device.DeviceId}/retire", content: null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False((await device.CheckInAsync()).Commands.Any());
    }

    [Fact]
    public async Task Action_OnDeviceOfAnotherTenant_Is404()
    {
        var (otherTenant, _) = await Host.CreateTenantAsync("Fabrikam");
        var (_, device, admin) = await EnrolledAsync();
        using var _ = device;
        admin.Dispose();
        using var otherAdmin = Host.AdminClient(Host.AdminToken(otherTenant));

        var response = await otherAdmin.PostAsync($"deviceManagement/managedDevices/{device.DeviceId}/wipe", content: null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False((await device.CheckInAsync()).Commands.Any());
    }

    [Fact]
    public async Task Patch_Notes_AreShownAndReadOnlyPropertiesAre400()
    {
        var (_, device, admin) = await EnrolledAsync();
        using var _ = device;
        using var __ = admin;

        var patched = await admin.PatchAsync(
            $"deviceManagement/managedDevices/{device.DeviceId}",
            new StringContent("""{"@odata.type":"#microsoft.graph.managedDevice","notes":"Loaner for the Oslo office","managedDeviceOwnerType":"personal"}""", Encoding.UTF8, "application/json"));
        var readOnly = await admin.PatchAsync(
            $"deviceManagement/managedDevices/{device.DeviceId}",
            new StringContent("""{"serialNumber":"X"}""", Encoding.UTF8, "application/json"));
        var view = await GetDeviceAsync(admin, device.DeviceId!);

        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, readOnly.StatusCode);
        Assert.Equal("Loaner for the Oslo office", (string?)view["notes"]);
        Assert.Equal("personal", (string?)view["managedDeviceOwnerType"]);
    }

    [Fact]
    public async Task Delete_Device_RemovesRecordAndRefusesItsCertificate()
    {
        var (_, device, admin) = await EnrolledAsync(Platform.Android);
        using var _ = device;
        using var __ = admin;

        var deleted = await admin.DeleteAsync($"deviceManagement/managedDevices/{device.DeviceId}");
        var again = await admin.DeleteAsync($"deviceManagement/managedDevices/{device.DeviceId}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        var list = await admin.GetFromJsonAsync<JsonObject>("deviceManagement/managedDevices");
        Assert.Empty(list!["value"]!.AsArray());
        var error = await Assert.ThrowsAsync<RpcException>(() => device.CheckInAsync());
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Theory]
    [InlineData(Platform.Windows)]
    [InlineData(Platform.Ios)]
    [InlineData(Platform.Macos)]
    [InlineData(Platform.Android)]
    public async Task Listen_ActionQueued_NudgesConnectedDeviceWithinASecond(Platform platform)
    {
        var (_, device, admin) = await EnrolledAsync(platform);
        using var _ = device;
        using var __ = admin;
        using var stop = new CancellationTokenSource();
        var nudges = Channel.CreateUnbounded<Nudge>();
        var listening = device.ListenAsync(n => nudges.Writer.WriteAsync(n).AsTask(), stop.Token);
        var connected = await nudges.Reader.ReadAsync().AsTask().WaitAsync(Wait);

        var clock = Stopwatch.StartNew();
        await admin.PostAsync($"deviceManagement/managedDevices/{device.DeviceId}/remoteLock", content: null);
        var nudge = await nudges.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        var elapsed = clock.Elapsed;
        var checkIn = await device.SyncAsync();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => listening);

        Assert.Equal("connected", connected.Reason);
        Assert.Equal("remoteLock", nudge.Reason);
        Assert.Equal(1, nudge.Attempt);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"The nudge took {elapsed.TotalMilliseconds:F0} ms.");
        Assert.Equal([CommandType.RemoteLock], device.ExecutedCommands);
        Assert.True(checkIn.NotModified);
    }

    [Fact]
    public async Task Listen_DeviceReconnects_PendingCommandIsDeliveredAtItsCheckIn()
    {
        var (_, device, admin) = await EnrolledAsync(Platform.Android);
        using var _ = device;
        using var __ = admin;
        using (var first = new CancellationTokenSource())
        {
            var nudges = Channel.CreateUnbounded<Nudge>();
            var listening = device.ListenAsync(n => nudges.Writer.WriteAsync(n).AsTask(), first.Token);
            await nudges.Reader.ReadAsync().AsTask().WaitAsync(Wait);
            await first.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => listening);
        }

        // Queued while the device is offline: nobody to nudge.
        await admin.PostAsync($"deviceManagement/managedDevices/{device.DeviceId}/rebootNow", content: null);
        using var second = new CancellationTokenSource();
        var again = Channel.CreateUnbounded<Nudge>();
        var relistening = device.ListenAsync(n => again.Writer.WriteAsync(n).AsTask(), second.Token);
        var connected = await again.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        var checkIn = await device.CheckInAsync();
        await second.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => relistening);

        Assert.Equal("connected", connected.Reason);
        Assert.Equal(CommandType.RebootNow, Assert.Single(checkIn.Commands).Type);
    }

    [Fact]
    public async Task Listen_WithoutClientCertificate_IsUnauthenticated()
    {
        var (_, device, admin) = await EnrolledAsync();
        using var _ = device;
        using var __ = admin;
        var anonymous = device.CreateClient(clientCertificate: null, device.CertificateAuthority);

        using var call = anonymous.Listen(new ListenRequest());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Theory]
    [InlineData(Platform.Windows)]
    [InlineData(Platform.Ios)]
    [InlineData(Platform.Macos)]
    [InlineData(Platform.Android)]
    public async Task RenewCertificate_NewOneUsed_OldOneIsRefused(Platform platform)
    {
        var (_, device, admin) = await EnrolledAsync(platform);
        using var _ = device;
        using var __ = admin;
        var old = device.CreateClient(device.Certificate, device.CertificateAuthority);
        var oldSerial = device.Certificate!.SerialNumber;

        var renewal = await device.RenewCertificateAsync();
        var stillValid = await old.CheckInAsync(new CheckInRequest { Facts = device.Profile.Facts(), AssignmentEtag = device.AssignmentEtag });
        await device.CheckInAsync();
        var error = await Assert.ThrowsAsync<RpcException>(async () => await old.CheckInAsync(new CheckInRequest { Facts = device.Profile.Facts() }));
        var view = await GetDeviceAsync(admin, device.DeviceId!);

        Assert.NotEqual(oldSerial, device.Certificate!.SerialNumber);
        Assert.True(stillValid.NotModified);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("no longer valid", error.Status.Detail);
        Assert.Equal(renewal.CertificateNotAfter.ToDateTimeOffset(), DateTimeOffset.Parse((string)view["managementCertificateExpirationDate"]!));
    }

    [Fact]
    public async Task RenewCertificate_WithInvalidCsr_IsInvalidArgument()
    {
        var (_, device, admin) = await EnrolledAsync();
        using var _ = device;
        using var __ = admin;
        var client = device.CreateClient(device.Certificate, device.CertificateAuthority);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.RenewCertificateAsync(new RenewCertificateRequest { CertificateSigningRequest = Google.Protobuf.ByteString.CopyFrom(1, 2, 3) }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        await device.CheckInAsync();
    }
}
