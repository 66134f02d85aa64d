using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Intune.Device.V1;
using Intune.DeviceSim;
using Intune.Ops.Moves;

namespace Intune.Ops.Tests.Moves;

/// <summary>
/// What devices and admins meet around a tenant move: devices follow to the target with the
/// certificates they hold, revoked certificates stay refused, and writes wait during the copy.
/// </summary>
public sealed class MovedDeviceTests(MoveUnits units) : IClassFixture<MoveUnits>
{
    [Fact]
    public async Task Move_DevicesCallSourceAfterSwitch_FollowToTargetWithOldCertificates()
    {
        var (tenantId, token, source) = await CreateTenantAsync("Following Co");
        var target = source == "na-01" ? "na-02" : "na-01";
        var devices = await EnrollAsync(units.Host(source), token, 12);
        var renewed = devices[0];
        using var revoked = renewed.Certificate!;
        await renewed.RenewCertificateAsync();
        await renewed.CheckInAsync(); // the renewed certificate replaces the old one for good
        var serials = devices.ToDictionary(d => d.DeviceId!, d => d.Certificate!.SerialNumber);
        try
        {
            var (exit, _, error) = await units.OpsAsync("tenant", "move", tenantId, "--to", target);
            Assert.True(exit == 0, error);

            // Every device still calls the source; it is sent to the target and checks in there
            // with the certificate the source issued.
            foreach (var device in devices)
            {
                var response = await device.CheckInAsync();
                Assert.Equal(units.Host(target).DeviceGateway, device.Gateway);
                Assert.Equal(serials[device.DeviceId!], device.Certificate!.SerialNumber);
                Assert.True(response.NextCheckIn.ToDateTimeOffset() > DateTimeOffset.UtcNow, $"Device {device.DeviceId} got no next check-in from {target}.");
            }

            // The certificate the renewal revoked is refused by the target, which checks the
            // serial in the imported Device grain state.
            using var probe = new SimulatedDevice(units.Host(target).DeviceGateway, renewed.Profile);
            var refused = await Assert.ThrowsAsync<RpcException>(() => probe.CreateClient(revoked, pinnedAuthority: null)
                .CheckInAsync(new CheckInRequest { Facts = renewed.Profile.Facts() }).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);

            // At the source, the answer names the target and its device endpoint.
            using var atSource = new SimulatedDevice(units.Host(source).DeviceGateway, devices[1].Profile);
            var redirect = await Assert.ThrowsAsync<RpcException>(() => atSource.CreateClient(devices[1].Certificate, pinnedAuthority: null)
                .CheckInAsync(new CheckInRequest { Facts = devices[1].Profile.Facts() }).ResponseAsync);
            Assert.Equal(StatusCode.FailedPrecondition, redirect.StatusCode);
            Assert.Equal(target, redirect.Trailers.GetValue("intune-moved-to-unit"));
            Assert.Equal(units.Host(target).DeviceGateway.ToString(), redirect.Trailers.GetValue("intune-moved-to-endpoint"));
            Assert.NotNull(redirect.Trailers.Get("intune-moved-to-ca-bin"));

            // An admin at the source's co-hosted gateway, which does not reach the target, is sent there on both fronts.
            using var restAtSource = units.Host(source).AdminClient(units.Host(source).AdminToken(tenantId));
            using var movedAway = await restAtSource.GetAsync("groups");
            Assert.Equal(HttpStatusCode.MisdirectedRequest, movedAway.StatusCode);
            Assert.Equal("tenantMoved", (string?)(await movedAway.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["code"]);
            var grpcAtSource = await Assert.ThrowsAsync<RpcException>(() => AdminGroups(units.Host(source))
                .ListGroupsAsync(new Intune.Admin.V1.ListGroupsRequest(), AdminBearer(units.Host(source), tenantId)).ResponseAsync);
            Assert.Equal(StatusCode.FailedPrecondition, grpcAtSource.StatusCode);
            Assert.Equal(target, grpcAtSource.Trailers.GetValue("intune-moved-to-unit"));

            // A certificate renewed at the target is issued by the target's CA and names it.
            await devices[2].RenewCertificateAsync();
            await devices[2].CheckInAsync();
            Assert.Contains($"OU={target}", devices[2].Certificate!.Subject, StringComparison.Ordinal);
        }
        finally
        {
            devices.ForEach(d => d.Dispose());
        }
    }

    [Fact]
    public async Task Move_WhileCopying_WritesWaitReadsGoOnAndAbortLeavesSourceWritable()
    {
        var (tenantId, token, source) = await CreateTenantAsync("Busy Co");
        var target = source == "na-01" ? "na-02" : "na-01";
        var host = units.Host(source);
        var devices = await EnrollAsync(host, token, 2);
        using var admin = host.AdminClient(host.AdminToken(tenantId));
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            await units.QuiesceAsync();
            var aborted = await Assert.ThrowsAsync<IOException>(() => TenantMoveCommand.MoveAsync(
                units.Ops, new CommandOutput(output, error, json: false), tenantId, target,
                async step =>
                {
                    if (step != MoveStep.Export)
                    {
                        return;
                    }

                    using var held = await admin.PostAsJsonAsync("groups", new JsonObject { ["displayName"] = "During the move" });
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, held.StatusCode);
                    Assert.True(held.Headers.RetryAfter?.Delta > TimeSpan.Zero, "A held write says when to retry.");
                    var envelope = await held.Content.ReadFromJsonAsync<JsonObject>();
                    Assert.Equal("serviceNotAvailable", (string?)envelope!["error"]!["code"]);

                    using var read = await admin.GetAsync("deviceManagement/managedDevices");
                    Assert.Equal(HttpStatusCode.OK, read.StatusCode);

                    // The admin gRPC API holds changes and serves reads the same way.
                    var groups = AdminGroups(host);
                    var heldOverGrpc = await Assert.ThrowsAsync<RpcException>(() => groups
                        .CreateGroupAsync(new Intune.Admin.V1.CreateGroupRequest { DisplayName = "During the move" }, AdminBearer(host, tenantId)).ResponseAsync);
                    Assert.Equal(StatusCode.Unavailable, heldOverGrpc.StatusCode);
                    Assert.Equal("30000", heldOverGrpc.Trailers.GetValue("grpc-retry-pushback-ms"));
                    Assert.DoesNotContain((await groups.ListGroupsAsync(new Intune.Admin.V1.ListGroupsRequest(), AdminBearer(host, tenantId))).Groups, g => g.DisplayName == "During the move");

                    var checkIn = await Assert.ThrowsAsync<RpcException>(() => devices[0].CheckInAsync());
                    Assert.Equal(StatusCode.Unavailable, checkIn.StatusCode);
                    Assert.Equal("30000", checkIn.Trailers.GetValue("grpc-retry-pushback-ms"));

                    throw new IOException("operator pressed Ctrl-C during the export");
                },
                CancellationToken.None));
            Assert.Contains("Ctrl-C", aborted.Message);

            // The aborted move lifted the hold: the tenant is whole and writable on the source.
            using var created = await admin.PostAsJsonAsync("groups", new JsonObject { ["displayName"] = "After the move" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal(Intune.Device.V1.ComplianceState.Compliant, (await devices[0].CheckInAsync()).ComplianceState);
            Assert.Equal(host.DeviceGateway, devices[0].Gateway);
        }
        finally
        {
            devices.ForEach(d => d.Dispose());
        }
    }

    private static Intune.Admin.V1.Groups.GroupsClient AdminGroups(ScaleUnitTestHost host) =>
        new(Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{host.AdminGrpcPort}"));

    private static Metadata AdminBearer(ScaleUnitTestHost host, string tenantId) => new() { { "Authorization", $"Bearer {host.AdminToken(tenantId)}" } };

    private async Task<(string TenantId, string Token, string Unit)> CreateTenantAsync(string name)
    {
        var (exit, output, error) = await units.OpsAsync("tenant", "create", "--name", name, "--region", "na", "--json");
        Assert.True(exit == 0, error);
        var created = JsonNode.Parse(output)!;
        return ((string)created["id"]!, (string)created["enrollmentToken"]!, (string)created["scaleUnit"]!);
    }

    private static async Task<List<SimulatedDevice>> EnrollAsync(ScaleUnitTestHost host, string token, int count)
    {
        var devices = Enumerable.Range(0, count).Select(i => host.NewDevice((Platform)(1 + (i % 5)), i)).ToList();
        foreach (var device in devices)
        {
            await device.EnrollAsync(token);
            await device.CheckInAsync();
        }

        return devices;
    }
}
