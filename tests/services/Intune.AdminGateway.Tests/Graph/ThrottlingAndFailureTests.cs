using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;

namespace Intune.AdminGateway.Tests.Graph;

/// <summary>Per-tenant throttling (429 + Retry-After) and unhandled failures in the unit's own pipeline (500 / Internal without exception text).</summary>
public sealed class ThrottlingAndFailureTests(ThrottlingAndFailureTests.ThrottledUnit unit) : IClassFixture<ThrottlingAndFailureTests.ThrottledUnit>
{
    [Fact]
    public async Task List_BeyondTenantBudget_Is429WithRetryAfterAndOtherTenantUnaffected()
    {
        using var busy = unit.Host.AdminClient(unit.Host.AdminToken(Guid.NewGuid().ToString()));
        using var quiet = unit.Host.AdminClient(unit.Host.AdminToken(Guid.NewGuid().ToString()));

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? throttled = null;
        for (var i = 0; i < ThrottledUnit.Budget + 1; i++)
        {
            var response = await busy.GetAsync("deviceManagement/managedDevices");
            statuses.Add(response.StatusCode);
            throttled = response;
        }

        var other = await quiet.GetAsync("deviceManagement/managedDevices");

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, ThrottledUnit.Budget).Append(HttpStatusCode.TooManyRequests), statuses);
        Assert.True(throttled!.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 must carry Retry-After in seconds");
        Assert.Equal("TooManyRequests", (string?)(await throttled.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["code"]);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Batch_BeyondTenantBudget_EachRequestCountsAndTheThrottledCarryRetryAfter()
    {
        using var busy = unit.Host.AdminClient(unit.Host.AdminToken(Guid.NewGuid().ToString()));
        var requests = string.Join(",", Enumerable.Range(1, ThrottledUnit.Budget + 2).Select(i => $$"""{"id":"{{i}}","method":"GET","url":"/deviceManagement/managedDevices"}"""));

        var answer = await GraphBatchTests.BatchAsync(busy, $$"""{"requests":[{{requests}}]}""");
        var after = await busy.GetAsync("deviceManagement/managedDevices");

        var statuses = Enumerable.Range(1, ThrottledUnit.Budget + 2).Select(i => (int)answer[$"{i}"]["status"]!).ToList();
        Assert.Equal(Enumerable.Repeat(200, ThrottledUnit.Budget).Concat([429, 429]), statuses);
        var throttled = answer[$"{ThrottledUnit.Budget + 1}"];
        Assert.True(int.Parse((string)throttled["headers"]!["Retry-After"]!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("TooManyRequests", (string?)throttled["body"]!["error"]!["code"]);
        Assert.Equal(HttpStatusCode.TooManyRequests, after.StatusCode);
    }

    [Fact]
    public async Task Grpc_SharesTheTenantsBudget_BeyondItIsResourceExhaustedWithRetryPushback()
    {
        var tenantId = Guid.NewGuid().ToString();
        var bearer = new Metadata { { "Authorization", $"Bearer {unit.Host.AdminToken(tenantId)}" } };
        using var rest = unit.Host.AdminClient(unit.Host.AdminToken(tenantId));
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{unit.Host.AdminGrpcPort}");
        var groups = new Intune.Admin.V1.Groups.GroupsClient(channel);

        for (var i = 0; i < ThrottledUnit.Budget - 1; i++)
        {
            await groups.ListGroupsAsync(new Intune.Admin.V1.ListGroupsRequest(), bearer);
        }

        Assert.Equal(HttpStatusCode.OK, (await rest.GetAsync("groups")).StatusCode); // the last request of the budget, over REST
        var throttled = await Assert.ThrowsAsync<RpcException>(() => groups.ListGroupsAsync(new Intune.Admin.V1.ListGroupsRequest(), bearer).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, throttled.StatusCode);
        Assert.Contains("Too many requests for this tenant", throttled.Status.Detail, StringComparison.Ordinal);
        Assert.True(long.Parse(throttled.Trailers.GetValue("grpc-retry-pushback-ms")!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await rest.GetAsync("groups")).StatusCode);
    }

    [Fact]
    public async Task UnhandledException_InTheGatewaysOwnPipeline_Is500EnvelopeWithoutExceptionTextAndTheUnitServesOn()
    {
        // The fault is behind the real pipeline (auth, rate limit, move gate, permission, audit):
        // the router throws for one tenant, as a bug or a broken dependency would.
        using var poisoned = unit.Host.AdminClient(unit.Host.AdminToken(ThrottledUnit.PoisonedTenant));
        using var healthy = unit.Host.AdminClient(unit.Host.AdminToken(Guid.NewGuid().ToString()));
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{unit.Host.AdminGrpcPort}");
        var grpc = new Intune.Admin.V1.ManagedDevices.ManagedDevicesClient(channel);

        var response = await poisoned.GetAsync($"deviceManagement/managedDevices/{Guid.NewGuid()}");
        var text = await response.Content.ReadAsStringAsync();
        var grpcError = await Assert.ThrowsAsync<RpcException>(() => grpc.GetManagedDeviceAsync(
            new Intune.Admin.V1.GetManagedDeviceRequest { Id = Guid.NewGuid().ToString() },
            new Metadata { { "Authorization", $"Bearer {unit.Host.AdminToken(ThrottledUnit.PoisonedTenant)}" } }).ResponseAsync);
        var afterwards = await healthy.GetAsync("deviceManagement/managedDevices");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var error = JsonNode.Parse(text)!["error"]!;
        Assert.Equal("InternalServerError", (string?)error["code"]);
        var requestId = (string?)error["innerError"]?["request-id"];
        Assert.False(string.IsNullOrEmpty(requestId), $"the 500 names a request id to find in the log: {text}");
        Assert.Contains(requestId, (string?)error["message"], StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Internal, grpcError.StatusCode);
        Assert.DoesNotContain("hunter2", grpcError.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
    }

    [Fact]
    public async Task UnitThatDoesNotAnswer_IsARetryOnEveryFront_NotA500()
    {
        // The unit's grain calls time out for one tenant (Orleans' TimeoutException), as when the unit is overloaded.
        await unit.Host.Grains.GetGrain<Intune.Grains.Tenants.ITenantGrain>(ThrottledUnit.TimedOutTenant).CreateAsync("Slow Co", "na");
        var token = (await unit.Host.Grains.GetGrain<Intune.Grains.Tenants.ITenantGrain>(ThrottledUnit.TimedOutTenant).CreateEnrollmentTokenAsync(TimeSpan.FromHours(1), null)).Token!;
        using var rest = unit.Host.AdminClient(unit.Host.AdminToken(ThrottledUnit.TimedOutTenant));
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{unit.Host.AdminGrpcPort}");
        var groups = new Intune.Admin.V1.Groups.GroupsClient(channel);
        using var device = unit.Host.NewDevice();

        using var response = await rest.GetAsync("groups");
        var grpcError = await Assert.ThrowsAsync<RpcException>(() => groups.ListGroupsAsync(
            new Intune.Admin.V1.ListGroupsRequest(),
            new Metadata { { "Authorization", $"Bearer {unit.Host.AdminToken(ThrottledUnit.TimedOutTenant)}" } }).ResponseAsync);
        var enrollError = await Assert.ThrowsAsync<RpcException>(() => device.EnrollAsync(token));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "503 says when to retry");
        Assert.Equal("serviceNotAvailable", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["code"]);
        Assert.Equal(StatusCode.Unavailable, grpcError.StatusCode);
        Assert.Equal(StatusCode.Unavailable, enrollError.StatusCode);
        Assert.Contains("did not answer in time", enrollError.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", grpcError.Status.Detail + enrollError.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>A scale unit whose per-tenant budget is a few requests per hour, so the limit is reached deterministically.</summary>
    public sealed class ThrottledUnit : IAsyncLifetime
    {
        public const int Budget = 3;

        /// <summary>A tenant whose every request meets an unexpected exception deep in the gateway.</summary>
        public static readonly string PoisonedTenant = Guid.NewGuid().ToString();

        /// <summary>A tenant whose unit never answers in time.</summary>
        public static readonly string TimedOutTenant = Guid.NewGuid().ToString();

        public ScaleUnitTestHost Host { get; } = new();

        public Task InitializeAsync()
        {
            Host.ReplaceServices = services =>
            {
                var original = services.Last(d => d.ServiceType == typeof(Intune.Routing.IScaleUnitRouter));
                services.Remove(original);
                services.AddSingleton<Intune.Routing.IScaleUnitRouter>(sp => new PoisonedRouter(
                    (Intune.Routing.IScaleUnitRouter)(original.ImplementationInstance ?? original.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, original.ImplementationType!))));
            };
            Host.Settings["AdminGateway:RateLimit:TokenLimit"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Host.Settings["AdminGateway:RateLimit:TokensPerPeriod"] = "1";
            Host.Settings["AdminGateway:RateLimit:ReplenishmentPeriod"] = "01:00:00";
            return Host.StartAsync();
        }

        public Task DisposeAsync() => Host.StopAsync();
    }

    private sealed class PoisonedRouter(Intune.Routing.IScaleUnitRouter inner) : Intune.Routing.IScaleUnitRouter
    {
        public ValueTask<IGrainFactory> ForTenantAsync(string tenantId, CancellationToken cancellationToken = default) =>
            tenantId == ThrottledUnit.PoisonedTenant ? throw new InvalidOperationException("connection string secret=hunter2")
            : tenantId == ThrottledUnit.TimedOutTenant ? throw new TimeoutException("Response did not arrive on time in 00:00:30 for message: secret=hunter2")
            : inner.ForTenantAsync(tenantId, cancellationToken);

        public ValueTask<IGrainFactory> ForScaleUnitAsync(string scaleUnitId, CancellationToken cancellationToken = default) => inner.ForScaleUnitAsync(scaleUnitId, cancellationToken);

        public bool OnTenantMoved(string tenantId, string targetScaleUnitId) => inner.OnTenantMoved(tenantId, targetScaleUnitId);

        public ValueTask<string?> ScaleUnitOfAsync(string tenantId, CancellationToken cancellationToken = default) => inner.ScaleUnitOfAsync(tenantId, cancellationToken);
    }
}
