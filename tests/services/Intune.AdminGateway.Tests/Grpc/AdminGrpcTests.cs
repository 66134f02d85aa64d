using Grpc.Core;
using Grpc.Net.Client;
using Intune.Admin.V1;

namespace Intune.AdminGateway.Tests.Grpc;

/// <summary>gRPC <c>intune.admin.v1</c> over h2c: the same application layer, tokens and permissions as Graph REST.</summary>
public sealed class AdminGrpcTests(AdminGrpcTests.Tenant tenant) : IClassFixture<AdminGrpcTests.Tenant>
{
    [Fact]
    public async Task ListManagedDevices_FilterOrderAndPageTokens_WalkEveryMatch()
    {
        var devices = new Admin.V1.ManagedDevices.ManagedDevicesClient(tenant.Channel);
        var expected = tenant.Seeded
            .Where(d => d.Platform is Intune.Grains.Devices.DevicePlatform.Android or Intune.Grains.Devices.DevicePlatform.IOS)
            .OrderByDescending(d => d.LastSyncDateTime).ThenByDescending(d => d.Id, StringComparer.Ordinal)
            .Select(d => d.Id)
            .ToList();

        var seen = new List<string>();
        var request = new ListManagedDevicesRequest { Filter = "operatingSystem eq 'Android' or operatingSystem eq 'iOS'", OrderBy = "lastSyncDateTime desc", PageSize = 7, IncludeCount = true };
        long total = -1;
        do
        {
            var page = await devices.ListManagedDevicesAsync(request, tenant.Auth());
            total = page.TotalCount;
            seen.AddRange(page.Devices.Select(d => d.Id));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        Assert.True(expected.Count > 14, "the seed should span several pages");
        Assert.Equal(expected.Count, total);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task ListManagedDevices_BadFilter_IsInvalidArgumentNamingTheProblem()
    {
        var devices = new Admin.V1.ManagedDevices.ManagedDevicesClient(tenant.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            devices.ListManagedDevicesAsync(new ListManagedDevicesRequest { Filter = "model eq 'x'" }, tenant.Auth()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("model", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetManagedDevice_OfAnotherTenant_IsNotFound()
    {
        // A really enrolled device (its Device grain exists), so NotFound can only come from the tenant rule.
        var devices = new Admin.V1.ManagedDevices.ManagedDevicesClient(tenant.Channel);
        using var device = tenant.Host.NewDevice(Intune.Device.V1.Platform.Windows, index: 1);
        var deviceId = (await device.EnrollAsync(tenant.EnrollmentToken)).DeviceId;

        var own = await devices.GetManagedDeviceAsync(new GetManagedDeviceRequest { Id = deviceId }, tenant.Auth());
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            devices.GetManagedDeviceAsync(new GetManagedDeviceRequest { Id = deviceId }, tenant.Auth(Guid.NewGuid().ToString())).ResponseAsync);

        Assert.Equal(deviceId, own.Id);
        Assert.Equal("Windows", own.OperatingSystem);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.DoesNotContain(tenant.TenantId, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnrollmentTokens_CreateThenList_ShowsSecretOnceAndIsAudited()
    {
        var tokens = new EnrollmentTokens.EnrollmentTokensClient(tenant.Channel);
        var audit = new AuditEvents.AuditEventsClient(tenant.Channel);

        var created = await tokens.CreateEnrollmentTokenAsync(new CreateEnrollmentTokenRequest { LifetimeHours = 24, MaximumUses = 5 }, tenant.Auth());
        var listed = await tokens.ListEnrollmentTokensAsync(new ListEnrollmentTokensRequest(), tenant.Auth());
        var events = await audit.ListAuditEventsAsync(new ListAuditEventsRequest { Filter = "category eq 'Enrollment'" }, tenant.Auth());

        Assert.StartsWith(tenant.TenantId + ".", created.Token, StringComparison.Ordinal);
        var entry = Assert.Single(listed.Tokens, t => t.TokenId == created.TokenId);
        Assert.Equal(string.Empty, entry.Token);
        Assert.Equal(5, entry.MaximumUses);
        Assert.Contains(events.Events, e => e.ActivityType == "Create EnrollmentToken" && e.ResourceIds.Contains(created.TokenId) && e.ActorUserPrincipalName == "admin@contoso.example");
    }

    [Fact]
    public async Task CreateEnrollmentToken_OutOfRangeLifetime_IsInvalidArgument()
    {
        var tokens = new EnrollmentTokens.EnrollmentTokensClient(tenant.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            tokens.CreateEnrollmentTokenAsync(new CreateEnrollmentTokenRequest { LifetimeHours = 100_000 }, tenant.Auth()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("lifetime_hours", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateEnrollmentToken_ByReadOnlyOperator_IsPermissionDenied()
    {
        var tokens = new EnrollmentTokens.EnrollmentTokensClient(tenant.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            tokens.CreateEnrollmentTokenAsync(new CreateEnrollmentTokenRequest { LifetimeHours = 1 }, tenant.Auth(role: "Read Only Operator")).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task ListRoleDefinitions_WithoutToken_IsUnauthenticated()
    {
        var roles = new Admin.V1.Roles.RolesClient(tenant.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => roles.ListRoleDefinitionsAsync(new ListRoleDefinitionsRequest()).ResponseAsync);
        var listed = await roles.ListRoleDefinitionsAsync(new ListRoleDefinitionsRequest(), tenant.Auth(role: "Read Only Operator"));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains(listed.RoleDefinitions, r => r.IsBuiltIn && r.DisplayName == "Intune Administrator");
    }

    /// <summary>A scale unit with one created tenant holding seeded devices, and an h2c channel to the admin gRPC port.</summary>
    public sealed class Tenant : IAsyncLifetime
    {
        public ScaleUnitTestHost Host { get; } = new();

        public string TenantId { get; private set; } = string.Empty;

        public string EnrollmentToken { get; private set; } = string.Empty;

        public IReadOnlyList<Intune.Grains.Devices.ManagedDeviceView> Seeded { get; private set; } = [];

        public GrpcChannel Channel { get; private set; } = null!;

        public Metadata Auth(string? tenantId = null, string role = "Intune Administrator") =>
            new() { { "Authorization", $"Bearer {Host.AdminToken(tenantId ?? TenantId, role)}" } };

        public async Task InitializeAsync()
        {
            await Host.StartAsync();
            (TenantId, EnrollmentToken) = await Host.CreateTenantAsync();
            Seeded = await Host.SeedAsync(TenantId, 60, seed: 11);
            Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{Host.AdminGrpcPort}");
        }

        public async Task DisposeAsync()
        {
            Channel.Dispose();
            await Host.StopAsync();
        }
    }
}
