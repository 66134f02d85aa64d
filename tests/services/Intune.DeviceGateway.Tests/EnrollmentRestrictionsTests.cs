using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Intune.AdminGateway.Resources.EnrollmentTokens;
using Intune.Device.V1;
using Intune.DeviceSim;
using Intune.Grains.Tenants;

namespace Intune.DeviceGateway.Tests;

/// <summary>
/// Enrollment restrictions set through Graph REST and enforced at enrollment over the device
/// gateway. Every refusal must leave storage exactly as it was.
/// </summary>
public sealed class EnrollmentRestrictionsTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private const string PlatformRestrictionsType = "#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration";
    private const string LimitType = "#microsoft.graph.deviceEnrollmentLimitConfiguration";

    private ScaleUnitTestHost Host => fixture.Host;

    public static TheoryData<Platform, string> Platforms => new()
    {
        { Platform.Windows, "windowsRestriction" },
        { Platform.Ios, "iosRestriction" },
        { Platform.Ipados, "iosRestriction" },
        { Platform.Macos, "macOSRestriction" },
        { Platform.Android, "androidRestriction" },
    };

    [Theory]
    [MemberData(nameof(Platforms))]
    public async Task Enroll_PlatformBlocked_IsPermissionDeniedAndWritesNothing(Platform platform, string restriction)
    {
        var (tenantId, token, admin) = await TenantWithRestrictionAsync(restriction, new JsonObject { ["platformBlocked"] = true });
        using var _ = admin;
        using var device = Host.NewDevice(platform);

        var error = await RefusedWithoutWritesAsync(tenantId, device, token);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("is blocked", error.Status.Detail);
    }

    [Theory]
    [MemberData(nameof(Platforms))]
    public async Task Enroll_PersonalDeviceBlocked_IsPermissionDeniedAndWritesNothing(Platform platform, string restriction)
    {
        var (tenantId, token, admin) = await TenantWithRestrictionAsync(restriction, new JsonObject { ["personalDeviceEnrollmentBlocked"] = true });
        using var _ = admin;
        using var personal = Device(platform, p => p with { Ownership = Ownership.Personal });
        using var company = Device(platform, p => p with { Ownership = Ownership.Company });

        var error = await RefusedWithoutWritesAsync(tenantId, personal, token);
        var enrolled = await company.EnrollAsync(token);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("personally owned", error.Status.Detail);
        Assert.Equal(tenantId, enrolled.TenantId);
    }

    [Theory]
    [InlineData(Platform.Windows, "windowsRestriction", "10.0.19045", "10.0.22631.4460", "10.0.17763")]
    [InlineData(Platform.Ios, "iosRestriction", "17.0", "18.1.1", "16.7.10")]
    [InlineData(Platform.Ipados, "iosRestriction", "17.0", "18.1.1", "16.7.10")]
    [InlineData(Platform.Macos, "macOSRestriction", "14.0", "15.1.1", "13.7.1")]
    [InlineData(Platform.Android, "androidRestriction", "13", "15", "12")]
    public async Task Enroll_OsVersionBelowMinimum_IsFailedPreconditionAndWritesNothing(Platform platform, string restriction, string minimum, string allowed, string tooOld)
    {
        var (tenantId, token, admin) = await TenantWithRestrictionAsync(restriction, new JsonObject { ["osMinimumVersion"] = minimum });
        using var _ = admin;
        using var old = Device(platform, p => p with { OsVersion = tooOld });
        using var current = Device(platform, p => p with { OsVersion = allowed });

        var error = await RefusedWithoutWritesAsync(tenantId, old, token);
        await current.EnrollAsync(token);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains($"below the minimum version {minimum}", error.Status.Detail);
    }

    [Theory]
    [InlineData(Platform.Windows, "windowsRestriction", "10.0.22631", "10.0.26100.1")]
    [InlineData(Platform.Ios, "iosRestriction", "18.1.1", "18.2")]
    [InlineData(Platform.Macos, "macOSRestriction", "15.1", "15.1.1")]
    [InlineData(Platform.Android, "androidRestriction", "14", "15")]
    public async Task Enroll_OsVersionAboveMaximum_IsFailedPreconditionAndWritesNothing(Platform platform, string restriction, string maximum, string tooNew)
    {
        var (tenantId, token, admin) = await TenantWithRestrictionAsync(restriction, new JsonObject { ["osMaximumVersion"] = maximum });
        using var _ = admin;
        using var device = Device(platform, p => p with { OsVersion = tooNew });

        var error = await RefusedWithoutWritesAsync(tenantId, device, token);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains($"above the maximum version {maximum}", error.Status.Detail);
    }

    [Theory]
    [InlineData(Platform.Windows)]
    [InlineData(Platform.Ios)]
    [InlineData(Platform.Macos)]
    [InlineData(Platform.Android)]
    public async Task Enroll_UserAtDeviceLimit_IsResourceExhaustedAndWritesNothing(Platform platform)
    {
        var (tenantId, token) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        var patched = await admin.PatchAsJsonAsync($"deviceManagement/deviceEnrollmentConfigurations/{tenantId}_DefaultLimit", new JsonObject { ["@odata.type"] = LimitType, ["limit"] = 2 });
        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        using var first = Host.NewDevice(platform, index: 7);
        using var second = Host.NewDevice(platform, index: 7);
        using var third = Host.NewDevice(platform, index: 7);
        await first.EnrollAsync(token);
        await second.EnrollAsync(token);

        var error = await RefusedWithoutWritesAsync(tenantId, third, token);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("device limit of 2", error.Status.Detail);
        Assert.Equal(2, (await Host.Grains.GetGrain<ITenantGrain>(tenantId).ListEnrollmentTokensAsync()).Single().Uses);
    }

    [Fact]
    public async Task Enroll_AfterARetireFreesASlot_IsAccepted()
    {
        var (tenantId, token) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        await admin.PatchAsJsonAsync($"deviceManagement/deviceEnrollmentConfigurations/{tenantId}_DefaultLimit", new JsonObject { ["@odata.type"] = LimitType, ["limit"] = 1 });
        using var first = Host.NewDevice(Platform.Ios, index: 3);
        using var second = Host.NewDevice(Platform.Ios, index: 3);
        await first.EnrollAsync(token);
        await Assert.ThrowsAsync<RpcException>(() => second.EnrollAsync(token));

        await admin.PostAsync($"deviceManagement/managedDevices/{first.DeviceId}/retire", content: null);
        await first.SyncAsync();
        var enrolled = await second.EnrollAsync(token);

        Assert.Equal(tenantId, enrolled.TenantId);
    }

    [Fact]
    public async Task Enroll_WithRevokedToken_IsPermissionDeniedAndWritesNothing()
    {
        var (tenantId, token) = await Host.CreateTenantAsync();
        var tenant = Host.Grains.GetGrain<ITenantGrain>(tenantId);
        var tokenId = (await tenant.ListEnrollmentTokensAsync()).Single().TokenId;
        Assert.True(await tenant.RevokeEnrollmentTokenAsync(tokenId));
        using var device = Host.NewDevice(Platform.Windows);

        var error = await RefusedWithoutWritesAsync(tenantId, device, token);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("revoked", error.Status.Detail);
    }

    [Fact]
    public async Task EnrollmentTokenService_CreateListRevoke_RevokedTokenIsRefused()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        var tokens = Host.Services.GetRequiredService<EnrollmentTokenService>();

        var created = await tokens.CreateAsync(tenantId, TimeSpan.FromHours(8), maximumUses: 3);
        using var before = Host.NewDevice(Platform.Macos);
        await before.EnrollAsync(created.Token!);
        var revoked = await tokens.RevokeAsync(tenantId, created.TokenId);
        var unknown = await tokens.RevokeAsync(tenantId, "no-such-token");
        var listed = (await tokens.ListAsync(tenantId)).Single(t => t.TokenId == created.TokenId);
        using var after = Host.NewDevice(Platform.Macos);
        var error = await RefusedWithoutWritesAsync(tenantId, after, created.Token!);

        Assert.True(revoked);
        Assert.False(unknown);
        Assert.True(listed.Revoked);
        Assert.Equal(1, listed.Uses);
        Assert.Null(listed.Token);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => tokens.CreateAsync(tenantId, TimeSpan.FromDays(400), null));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => tokens.CreateAsync(tenantId, TimeSpan.FromDays(1), 0));
    }

    [Fact]
    public async Task List_NewTenant_ShowsBuiltInDefaults()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId, "Read Only Operator"));

        var page = await admin.GetFromJsonAsync<JsonObject>("deviceManagement/deviceEnrollmentConfigurations");
        var limit = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/deviceEnrollmentConfigurations/{tenantId}_DefaultLimit");

        var values = page!["value"]!.AsArray();
        Assert.Equal(2, values.Count);
        Assert.All(values, v => Assert.Equal("All users and all devices", (string?)v!["displayName"]));
        Assert.All(values, v => Assert.Equal(0, (int)v!["priority"]!));
        Assert.Equal(LimitType, (string?)limit!["@odata.type"]);
        Assert.Equal(5, (int)limit["limit"]!);
        var restrictions = values.Single(v => (string?)v!["id"] == $"{tenantId}_DefaultPlatformRestrictions")!;
        Assert.Equal(PlatformRestrictionsType, (string?)restrictions["@odata.type"]);
        Assert.False((bool)restrictions["iosRestriction"]!["platformBlocked"]!);
    }

    [Theory]
    [InlineData("""{"displayName":"no type","limit":3}""", "'@odata.type' is required")]
    [InlineData("""{"@odata.type":"#microsoft.graph.windows10CompliancePolicy","limit":3}""", "'@odata.type' is required")]
    [InlineData("""{"@odata.type":"#microsoft.graph.deviceEnrollmentLimitConfiguration","limit":16}""", "between 1 and 15")]
    [InlineData("""{"@odata.type":"#microsoft.graph.deviceEnrollmentLimitConfiguration","limit":0}""", "between 1 and 15")]
    [InlineData("""{"@odata.type":"#microsoft.graph.deviceEnrollmentLimitConfiguration"}""", "'limit' is required")]
    [InlineData("""{"@odata.type":"#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration","iosRestriction":{"osMinimumVersion":"eighteen"}}""", "not a dotted version")]
    [InlineData("""{"@odata.type":"#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration","androidRestriction":{"osMinimumVersion":"14","osMaximumVersion":"13"}}""", "is above osMaximumVersion")]
    [InlineData("""{"@odata.type":"#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration","limit":3}""", "'limit' is not a property")]
    [InlineData("""not json""", "not valid JSON")]
    public async Task Create_InvalidBody_Is400WithGraphError(string body, string expected)
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));

        var response = await admin.PostAsync("deviceManagement/deviceEnrollmentConfigurations", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;
        Assert.Equal("BadRequest", (string?)error["code"]);
        Assert.Contains(expected, (string?)error["message"]);
    }

    [Fact]
    public async Task CreatePatchPrioritizeDelete_LimitConfigurations_FollowGraph()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));

        var first = await CreateAsync(admin, new JsonObject { ["@odata.type"] = LimitType, ["displayName"] = "Sales", ["limit"] = 3 });
        var second = await CreateAsync(admin, new JsonObject { ["@odata.type"] = LimitType, ["displayName"] = "Engineering", ["limit"] = 10 });
        var patch = await admin.PatchAsJsonAsync($"deviceManagement/deviceEnrollmentConfigurations/{first}", new JsonObject { ["@odata.type"] = LimitType, ["limit"] = 4 });
        var reprioritized = await admin.PostAsJsonAsync($"deviceManagement/deviceEnrollmentConfigurations/{second}/setPriority", new JsonObject { ["priority"] = 1 });
        var assigned = await admin.PostAsJsonAsync(
            $"deviceManagement/deviceEnrollmentConfigurations/{first}/assign",
            new JsonObject { ["enrollmentConfigurationAssignments"] = new JsonArray(new JsonObject { ["target"] = new JsonObject { ["@odata.type"] = "#microsoft.graph.groupAssignmentTarget", ["groupId"] = Guid.NewGuid().ToString() } }) });
        var firstAfter = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/deviceEnrollmentConfigurations/{first}");
        var secondAfter = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/deviceEnrollmentConfigurations/{second}");
        var deleteDefault = await admin.DeleteAsync($"deviceManagement/deviceEnrollmentConfigurations/{tenantId}_DefaultLimit");
        var deleted = await admin.DeleteAsync($"deviceManagement/deviceEnrollmentConfigurations/{second}");
        var gone = await admin.GetAsync($"deviceManagement/deviceEnrollmentConfigurations/{second}");
        var firstFinal = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/deviceEnrollmentConfigurations/{first}");

        Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, reprioritized.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, assigned.StatusCode);
        Assert.Equal(4, (int)firstAfter!["limit"]!);
        Assert.Equal(2, (int)firstAfter["version"]!);
        Assert.Equal(2, (int)firstAfter["priority"]!);
        Assert.Equal(1, (int)secondAfter!["priority"]!);
        Assert.Equal(HttpStatusCode.BadRequest, deleteDefault.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(1, (int)firstFinal!["priority"]!);
    }

    [Fact]
    public async Task Create_WithoutEnrollmentWritePermission_Is403()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId, "Read Only Operator"));

        var response = await admin.PostAsJsonAsync("deviceManagement/deviceEnrollmentConfigurations", new JsonObject { ["@odata.type"] = LimitType, ["limit"] = 3 });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Enroll_GroupTargetedRestrictionOnly_DefaultStillApplies()
    {
        var (tenantId, token) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        var id = await CreateAsync(admin, new JsonObject { ["@odata.type"] = PlatformRestrictionsType, ["windowsRestriction"] = new JsonObject { ["platformBlocked"] = true } });
        await admin.PostAsJsonAsync(
            $"deviceManagement/deviceEnrollmentConfigurations/{id}/assign",
            new JsonObject { ["enrollmentConfigurationAssignments"] = new JsonArray(new JsonObject { ["target"] = new JsonObject { ["@odata.type"] = "#microsoft.graph.groupAssignmentTarget", ["groupId"] = Guid.NewGuid().ToString() } }) });
        using var device = Host.NewDevice(Platform.Windows);

        var enrolled = await device.EnrollAsync(token);

        Assert.Equal(tenantId, enrolled.TenantId);
    }

    private SimulatedDevice Device(Platform platform, Func<DeviceProfile, DeviceProfile> change) =>
        new(Host.DeviceGateway, change(DeviceProfile.Create(platform, 0, noncompliant: false, new Random(0))));

    /// <summary>A tenant whose platform restrictions (a new configuration for all users) set one platform's restriction.</summary>
    private async Task<(string TenantId, string Token, HttpClient Admin)> TenantWithRestrictionAsync(string restriction, JsonObject value)
    {
        var (tenantId, token) = await Host.CreateTenantAsync();
        var admin = Host.AdminClient(Host.AdminToken(tenantId));
        var id = await CreateAsync(admin, new JsonObject { ["@odata.type"] = PlatformRestrictionsType, ["displayName"] = "Restricted", [restriction] = value });
        var assigned = await admin.PostAsJsonAsync(
            $"deviceManagement/deviceEnrollmentConfigurations/{id}/assign",
            new JsonObject { ["enrollmentConfigurationAssignments"] = new JsonArray(new JsonObject { ["target"] = new JsonObject { ["@odata.type"] = "#microsoft.graph.allLicensedUsersAssignmentTarget" } }) });
        Assert.Equal(HttpStatusCode.NoContent, assigned.StatusCode);
        return (tenantId, token, admin);
    }

    private static async Task<string> CreateAsync(HttpClient admin, JsonObject body)
    {
        var response = await admin.PostAsJsonAsync("deviceManagement/deviceEnrollmentConfigurations", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal((string?)body["@odata.type"], (string?)created!["@odata.type"]);
        return (string)created["id"]!;
    }

    /// <summary>Enrolls, expects a refusal, and checks storage (grain state, catalog) did not change at all.</summary>
    private async Task<RpcException> RefusedWithoutWritesAsync(string tenantId, SimulatedDevice device, string token)
    {
        var before = await SnapshotAsync();
        var usesBefore = (await Host.Grains.GetGrain<ITenantGrain>(tenantId).ListEnrollmentTokensAsync()).Sum(t => t.Uses);

        var error = await Assert.ThrowsAsync<RpcException>(() => device.EnrollAsync(token));

        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal(usesBefore, (await Host.Grains.GetGrain<ITenantGrain>(tenantId).ListEnrollmentTokensAsync()).Sum(t => t.Uses));
        return error;
    }

    /// <summary>Every row and blob of every store of the unit (<see cref="UnitStorageSnapshot"/>).</summary>
    private Task<string> SnapshotAsync() => UnitStorageSnapshot.TakeAsync(Host);
}
