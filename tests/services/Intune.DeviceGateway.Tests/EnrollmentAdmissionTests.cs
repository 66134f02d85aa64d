using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Intune.Device.V1;
using Intune.DeviceSim;
using Intune.Grains.Tenants;
using Microsoft.Extensions.Time.Testing;

namespace Intune.DeviceGateway.Tests;

/// <summary>
/// What a device sees over the real gateway when it is not admitted: an expired or used-up
/// enrollment token, the per-user device limit under parallel enrollments, and the certificate of
/// a removed device on the push channel, also after the unit restarts.
/// </summary>
public sealed class EnrollmentAdmissionTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private ScaleUnitTestHost Host => fixture.Host;

    [Fact]
    public async Task Enroll_WithExpiredToken_IsUnauthenticatedNamingTheExpiry()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = new ScaleUnitTestHost { Time = clock };
        await host.StartAsync();
        var (tenantId, _) = await host.CreateTenantAsync();
        var token = await host.Grains.GetGrain<ITenantGrain>(tenantId).CreateEnrollmentTokenAsync(TimeSpan.FromHours(1), null);
        using var device = host.NewDevice(Platform.Android, index: 1);

        clock.Advance(TimeSpan.FromHours(2));
        var error = await Assert.ThrowsAsync<RpcException>(() => device.EnrollAsync(token.Token!));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("expired", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0, (await host.Grains.GetGrain<ITenantGrain>(tenantId).ListEnrollmentTokensAsync()).Single(t => t.TokenId == token.TokenId).Uses);
    }

    [Fact]
    public async Task Enroll_WithUsedUpToken_IsResourceExhaustedAndTheFirstDeviceStays()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        var token = await Host.Grains.GetGrain<ITenantGrain>(tenantId).CreateEnrollmentTokenAsync(TimeSpan.FromHours(1), maximumUses: 1);
        using var first = Host.NewDevice(Platform.Windows, index: 2);
        using var second = Host.NewDevice(Platform.Windows, index: 3);

        var admitted = await first.EnrollAsync(token.Token!);
        var error = await Assert.ThrowsAsync<RpcException>(() => second.EnrollAsync(token.Token!));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("maximum of 1", error.Status.Detail, StringComparison.Ordinal);
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        var listed = await admin.GetFromJsonAsync<JsonObject>("deviceManagement/managedDevices");
        Assert.Equal([admitted.DeviceId], listed!["value"]!.AsArray().Select(d => (string?)d!["id"]));
    }

    [Fact]
    public async Task Enroll_EightAtOnceForOneUser_AdmitsExactlyTheLimit()
    {
        var (tenantId, token) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        var patched = await admin.PatchAsJsonAsync(
            $"deviceManagement/deviceEnrollmentConfigurations/{tenantId}_DefaultLimit",
            new JsonObject { ["@odata.type"] = "#microsoft.graph.deviceEnrollmentLimitConfiguration", ["limit"] = 5 });
        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        // Eight different devices (own hardware) of one user, enrolling at the same moment.
        var devices = Enumerable.Range(10, 8)
            .Select(i => new SimulatedDevice(Host.DeviceGateway, DeviceProfile.Create(Platform.Ios, i, noncompliant: false, new Random(i)) with { UserPrincipalName = "megan@contoso.example" }))
            .ToList();

        var outcomes = await Task.WhenAll(devices.Select(async d =>
        {
            try
            {
                await d.EnrollAsync(token);
                return StatusCode.OK;
            }
            catch (RpcException ex)
            {
                return ex.StatusCode;
            }
        }));
        var listed = await admin.GetFromJsonAsync<JsonObject>("deviceManagement/managedDevices");

        Assert.Equal(5, outcomes.Count(o => o == StatusCode.OK));
        Assert.Equal(3, outcomes.Count(o => o == StatusCode.ResourceExhausted));
        Assert.Equal(5, listed!["value"]!.AsArray().Count(d => (string?)d!["userPrincipalName"] == "megan@contoso.example"));
        devices.ForEach(d => d.Dispose());
    }

    [Fact]
    public async Task RetiredDevice_OldCertificate_IsRefusedOnListenAndCheckInAlsoAfterARestart()
    {
        await using var first = new ScaleUnitTestHost();
        await first.StartAsync();
        var (tenantId, token) = await first.CreateTenantAsync();
        using var device = first.NewDevice(Platform.Macos, index: 4);
        await device.EnrollAsync(token);
        await device.CheckInAsync();
        using (var admin = first.AdminClient(first.AdminToken(tenantId)))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"deviceManagement/managedDevices/{device.DeviceId}/retire", content: null)).StatusCode);
        }

        Assert.True((await device.SyncAsync()).Unenrolled);
        var listenBefore = await ListenRefusalAsync(device);
        await first.StopAsync();

        // The same storage and the same device port: the device dials what it knows.
        await using var second = new ScaleUnitTestHost(first.StoragePrefix);
        second.Settings["Gateways:DevicePort"] = first.DevicePort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await second.StartAsync();
        var listenAfter = await ListenRefusalAsync(device);
        var checkInAfter = await Assert.ThrowsAsync<RpcException>(() => device.CheckInAsync());

        Assert.Equal(StatusCode.PermissionDenied, listenBefore.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, listenAfter.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, checkInAfter.StatusCode);
        Assert.Contains("record was removed", checkInAfter.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>The refusal a Listen gets; a stream that opens instead fails the test when the guard fires.</summary>
    private static async Task<RpcException> ListenRefusalAsync(SimulatedDevice device)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await Assert.ThrowsAsync<RpcException>(() => device.ListenAsync(_ => Task.CompletedTask, guard.Token));
    }
}
