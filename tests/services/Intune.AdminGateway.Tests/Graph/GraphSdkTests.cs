using Intune.Device.V1;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using GraphComplianceState = Microsoft.Graph.Models.ComplianceState;

namespace Intune.AdminGateway.Tests.Graph;

/// <summary>
/// The admin gateway driven by the real Microsoft Graph SDK with only its base URL changed:
/// what an admin script written for Intune does must work here unchanged.
/// </summary>
public sealed class GraphSdkTests(GraphSdkTests.Tenant tenant) : IClassFixture<GraphSdkTests.Tenant>
{
    [Fact]
    public async Task ManagedDevices_FilterSelectCountWithPageIterator_WalksEveryPage()
    {
        var graph = tenant.Graph();
        var expected = tenant.Seeded
            .Where(d => d.Platform == Intune.Grains.Devices.DevicePlatform.Windows)
            .OrderBy(d => d.DeviceName, StringComparer.OrdinalIgnoreCase).ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToList();

        var first = await graph.DeviceManagement.ManagedDevices.GetAsync(request =>
        {
            request.QueryParameters.Filter = "operatingSystem eq 'Windows' and startswith(deviceName,'SEED-')";
            request.QueryParameters.Select = ["id", "deviceName", "complianceState"];
            request.QueryParameters.Orderby = ["deviceName"];
            request.QueryParameters.Top = 4;
            request.QueryParameters.Count = true;
        });
        var seen = new List<ManagedDevice>();
        var pages = 1;
        var iterator = PageIterator<ManagedDevice, ManagedDeviceCollectionResponse>.CreatePageIterator(
            graph,
            first!,
            device =>
            {
                seen.Add(device);
                return true;
            },
            request =>
            {
                pages++;
                return request;
            });
        await iterator.IterateAsync();

        Assert.Equal(expected.Count, first!.OdataCount);
        Assert.True(expected.Count > 8, "the seed should span at least three pages");
        Assert.Equal((expected.Count + 3) / 4, pages);
        Assert.Equal(expected.Select(d => d.Id), seen.Select(d => d.Id));
        Assert.Equal(expected.Select(d => d.DeviceName), seen.Select(d => d.DeviceName));
        Assert.All(seen, d => Assert.Null(d.SerialNumber));
        Assert.All(seen, d => Assert.NotNull(d.ComplianceState));
    }

    [Fact]
    public async Task ManagedDevicesCount_WithFilter_ReturnsTheNumber()
    {
        var graph = tenant.Graph();

        var all = await graph.DeviceManagement.ManagedDevices.Count.GetAsync();
        var noncompliant = await graph.DeviceManagement.ManagedDevices.Count.GetAsync(r => r.QueryParameters.Filter = "complianceState eq 'noncompliant'");

        Assert.Equal(tenant.Seeded.Count + 1, all);
        Assert.Equal(tenant.Seeded.Count(d => d.ComplianceState == Intune.Grains.Devices.ComplianceState.Noncompliant), noncompliant);
    }

    [Fact]
    public async Task ManagedDevice_GetById_ReturnsTheEnrolledDevice()
    {
        var graph = tenant.Graph();

        var device = await graph.DeviceManagement.ManagedDevices[tenant.EnrolledDeviceId].GetAsync();

        Assert.NotNull(device);
        Assert.Equal(tenant.EnrolledDeviceId, device.Id);
        Assert.Equal("Windows", device.OperatingSystem);
        Assert.Equal(ManagedDeviceOwnerType.Company, device.ManagedDeviceOwnerType);
        Assert.Contains(device.ComplianceState, new GraphComplianceState?[] { GraphComplianceState.Compliant, GraphComplianceState.Unknown });
        Assert.Equal(ManagementState.Managed, device.ManagementState);
    }

    [Fact]
    public async Task ManagedDevices_BadFilter_SurfacesAsODataErrorBadRequest()
    {
        var graph = tenant.Graph();

        var error = await Assert.ThrowsAsync<ODataError>(() =>
            graph.DeviceManagement.ManagedDevices.GetAsync(r => r.QueryParameters.Filter = "model eq 'Surface'"));

        Assert.Equal(400, error.ResponseStatusCode);
        Assert.Equal("BadRequest", error.Error!.Code);
        Assert.Contains("model", error.Error.Message);
    }

    [Fact]
    public async Task ManagedDevice_OfAnotherTenant_SurfacesAsODataErrorNotFound()
    {
        var other = tenant.Graph(Guid.NewGuid().ToString());

        var error = await Assert.ThrowsAsync<ODataError>(() => other.DeviceManagement.ManagedDevices[tenant.EnrolledDeviceId].GetAsync());
        var list = await other.DeviceManagement.ManagedDevices.GetAsync();

        Assert.Equal(404, error.ResponseStatusCode);
        Assert.Equal("ResourceNotFound", error.Error!.Code);
        Assert.Empty(list!.Value!);
    }

    [Fact]
    public async Task ManagedDevices_RoleWithoutDeviceRead_SurfacesAsODataErrorForbidden()
    {
        var graph = tenant.Graph(role: "Some Unknown Role");

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.DeviceManagement.ManagedDevices.GetAsync());

        Assert.Equal(403, error.ResponseStatusCode);
        Assert.Equal("Forbidden", error.Error!.Code);
    }

    [Fact]
    public async Task ManagedDevices_WithoutToken_SurfacesAsODataErrorUnauthorized()
    {
        var graph = new GraphServiceClient(new AnonymousAuthenticationProvider(), tenant.BaseUrl);

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.DeviceManagement.ManagedDevices.GetAsync());

        Assert.Equal(401, error.ResponseStatusCode);
        Assert.Equal("InvalidAuthenticationToken", error.Error!.Code);
    }

    /// <summary>Sends the dev token as Graph would receive an Entra ID token.</summary>
    private sealed class BearerTokenProvider(string token) : IAuthenticationProvider
    {
        public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
        {
            request.Headers.Add("Authorization", $"Bearer {token}");
            return Task.CompletedTask;
        }
    }

    /// <summary>A scale unit with one tenant: seeded devices named SEED-* and one really enrolled Windows device.</summary>
    public sealed class Tenant : IAsyncLifetime
    {
        public ScaleUnitTestHost Host { get; } = new();

        public string TenantId { get; private set; } = string.Empty;

        public string EnrolledDeviceId { get; private set; } = string.Empty;

        public IReadOnlyList<Intune.Grains.Devices.ManagedDeviceView> Seeded { get; private set; } = [];

        public string BaseUrl => $"http://127.0.0.1:{Host.AdminPort}/v1.0";

        public GraphServiceClient Graph(string? tenantId = null, string role = "Intune Administrator") =>
            new(new BearerTokenProvider(Host.AdminToken(tenantId ?? TenantId, role)), BaseUrl);

        public async Task InitializeAsync()
        {
            await Host.StartAsync();
            var (tenantId, enrollmentToken) = await Host.CreateTenantAsync();
            TenantId = tenantId;
            Seeded = SeededDevices.Create(tenantId, 40, seed: 7)
                .Select((d, i) => d with { DeviceName = $"SEED-{i % 13:D2}" })
                .ToList();
            await Host.Services.GetRequiredService<Intune.Grains.Devices.IDeviceCatalog>().UpsertManyAsync(Seeded);
            using var device = Host.NewDevice(Platform.Windows);
            EnrolledDeviceId = (await device.EnrollAsync(enrollmentToken)).DeviceId;
        }

        public Task DisposeAsync() => Host.StopAsync();
    }
}
