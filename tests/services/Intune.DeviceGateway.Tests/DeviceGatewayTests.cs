using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Grpc.Core;
using Intune.Device.V1;

namespace Intune.DeviceGateway.Tests;

/// <summary>Enrollment and check-in over the real device gateway (TLS, then mutual TLS) on Azurite.</summary>
public sealed class DeviceGatewayTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private ScaleUnitTestHost Host => fixture.Host;

    [Theory]
    [InlineData(Platform.Windows, "Windows")]
    [InlineData(Platform.Ios, "iOS")]
    [InlineData(Platform.Ipados, "iPadOS")]
    [InlineData(Platform.Macos, "macOS")]
    [InlineData(Platform.Android, "Android")]
    public async Task EnrollThenCheckIn_EachPlatform_DeviceIsListedForTheAdmin(Platform platform, string operatingSystem)
    {
        var (tenantId, token) = await Host.CreateTenantAsync();
        using var device = Host.NewDevice(platform);

        var enrolled = await device.EnrollAsync(token);
        var checkIn = await device.CheckInAsync();

        Assert.Equal(tenantId, enrolled.TenantId);
        Assert.Equal(Intune.Device.V1.ComplianceState.Compliant, checkIn.ComplianceState);
        Assert.True(checkIn.NextCheckIn.ToDateTimeOffset() > DateTimeOffset.UtcNow);
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        var page = await admin.GetFromJsonAsync<JsonObject>("deviceManagement/managedDevices");
        var listed = Assert.Single(page!["value"]!.AsArray())!;
        Assert.Equal(enrolled.DeviceId, (string?)listed["id"]);
        Assert.Equal(operatingSystem, (string?)listed["operatingSystem"]);
        Assert.Equal(device.Profile.DeviceName, (string?)listed["deviceName"]);
        Assert.Equal("compliant", (string?)listed["complianceState"]);
        Assert.Equal("managed", (string?)listed["managementState"]);
        Assert.Equal(device.Profile.SerialNumber, (string?)listed["serialNumber"]);
    }

    [Fact]
    public async Task CheckIn_NotModified_WritesNothingToStorage()
    {
        var (_, token) = await Host.CreateTenantAsync();
        using var device = Host.NewDevice(Platform.Android);
        await device.EnrollAsync(token);
        await device.CheckInAsync();
        var before = await SnapshotAsync();

        var response = await device.CheckInAsync();

        Assert.True(response.NotModified);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task CheckIn_ChangedFacts_IsPersisted()
    {
        // Its own unit, restarted on the same storage: the new OS version must come back from the
        // device's state and from the catalog row, not from an activation that still holds it.
        await using var first = new ScaleUnitTestHost();
        await first.StartAsync();
        var (tenantId, token) = await first.CreateTenantAsync();
        using var device = first.NewDevice(Platform.Windows);
        var deviceId = (await device.EnrollAsync(token)).DeviceId;
        await device.CheckInAsync();
        var client = device.CreateClient(device.Certificate, device.CertificateAuthority);
        var facts = device.Profile.Facts();
        facts.OsVersion = "10.0.26100.2314";
        await client.CheckInAsync(new CheckInRequest { Facts = facts, AssignmentEtag = device.AssignmentEtag });
        await first.StopAsync();

        await using var second = new ScaleUnitTestHost(first.StoragePrefix);
        await second.StartAsync();
        using var admin = second.AdminClient(second.AdminToken(tenantId));
        var read = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/managedDevices/{deviceId}");
        var listed = await admin.GetFromJsonAsync<JsonObject>("deviceManagement/managedDevices");

        Assert.Equal("10.0.26100.2314", (string?)read!["osVersion"]);
        Assert.Equal("10.0.26100.2314", (string?)Assert.Single(listed!["value"]!.AsArray())!["osVersion"]);
    }

    [Fact]
    public async Task Enroll_WithUnknownToken_IsUnauthenticatedAndListsNothing()
    {
        var (tenantId, token) = await Host.CreateTenantAsync();
        using var device = Host.NewDevice();

        var error = await Assert.ThrowsAsync<RpcException>(() => device.EnrollAsync(token[..^6] + "ffffff"));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("not valid", error.Status.Detail);
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        var page = await admin.GetFromJsonAsync<JsonObject>("deviceManagement/managedDevices");
        Assert.Empty(page!["value"]!.AsArray());
    }

    [Fact]
    public async Task Enroll_WithoutPlatform_IsInvalidArgument()
    {
        var (_, token) = await Host.CreateTenantAsync();
        using var device = Host.NewDevice();
        var client = device.CreateClient(null, null);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.EnrollAsync(new EnrollRequest { EnrollmentToken = token, OsVersion = "1" }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("platform", error.Status.Detail);
    }

    [Fact]
    public async Task CheckIn_WithoutClientCertificate_IsUnauthenticated()
    {
        var (_, token) = await Host.CreateTenantAsync();
        using var device = Host.NewDevice();
        await device.EnrollAsync(token);
        var anonymous = device.CreateClient(clientCertificate: null, device.CertificateAuthority);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await anonymous.CheckInAsync(new CheckInRequest()));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("MDM certificate", error.Status.Detail);
    }

    [Fact]
    public async Task CheckIn_WithCertificateFromAnotherAuthority_IsUnauthenticated()
    {
        var (_, token) = await Host.CreateTenantAsync();
        using var device = Host.NewDevice();
        var enrolled = await device.EnrollAsync(token);
        using var foreign = SelfSignedLike(enrolled.TenantId, enrolled.DeviceId);
        var impostor = device.CreateClient(foreign, device.CertificateAuthority);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await impostor.CheckInAsync(new CheckInRequest()));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("not issued by this scale unit", error.Status.Detail);
    }

    /// <summary>Every row of this unit's state and catalog tables with its ETag: any write changes it.</summary>
    /// <summary>Every row and blob of every store of the unit (<see cref="UnitStorageSnapshot"/>).</summary>
    private Task<string> SnapshotAsync() => UnitStorageSnapshot.TakeAsync(Host);

    /// <summary>A certificate with the right subject that this unit's CA never signed.</summary>
    private static X509Certificate2 SelfSignedLike(string tenantId, string deviceId)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={deviceId}, O={tenantId}, OU=na-01", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
