using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Intune.AdminGateway.Tests.Graph;

/// <summary>Per-tenant throttling (429 + Retry-After) and unhandled failures (500 without exception text).</summary>
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
    public async Task UnhandledException_Is500EnvelopeWithoutExceptionText()
    {
        var port = TestStorage.FreeTcpPort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.UseGraphExceptionHandler();
        app.MapGet("/boom", string () => throw new InvalidOperationException("connection string secret=hunter2"));
        await app.StartAsync();
        using var client = new HttpClient();

        var response = await client.GetAsync($"http://127.0.0.1:{port}/boom");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("InternalServerError", (string?)JsonNode.Parse(text)!["error"]!["code"]);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        await app.StopAsync();
    }

    /// <summary>A scale unit whose per-tenant budget is a few requests per hour, so the limit is reached deterministically.</summary>
    public sealed class ThrottledUnit : IAsyncLifetime
    {
        public const int Budget = 3;

        public ScaleUnitTestHost Host { get; } = new();

        public Task InitializeAsync()
        {
            Host.Settings["AdminGateway:RateLimit:TokenLimit"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Host.Settings["AdminGateway:RateLimit:TokensPerPeriod"] = "1";
            Host.Settings["AdminGateway:RateLimit:ReplenishmentPeriod"] = "01:00:00";
            return Host.StartAsync();
        }

        public Task DisposeAsync() => Host.StopAsync();
    }
}
