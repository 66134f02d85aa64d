using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Audit;
using Intune.ClusterConfig;
using Intune.Grains.Audit;

namespace Intune.AdminGateway.Tests.Adversarial;

/// <summary>
/// The audit log cannot be blinded: a flood of forbidden attempts is summarized instead of
/// crowding out later events, and a change whose event cannot be written is not reported as done.
/// </summary>
[Trait("Category", "Adversarial")]
public sealed class AuditBlindingTests : IAsyncLifetime
{
    private const int Individually = 5;
    private readonly ScaleUnitTestHost _host = new();

    public async Task InitializeAsync()
    {
        _host.Settings["AdminGateway:RateLimit:AuditedFailuresPerWindow"] = Individually.ToString();
        _host.Settings["AdminGateway:RateLimit:AuditedFailureWindow"] = "00:00:02";
        _host.Settings["AdminGateway:RateLimit:TokenLimit"] = "1000";
        await _host.StartAsync();
    }

    public Task DisposeAsync() => _host.StopAsync();

    [Fact]
    public async Task AFloodOfForbiddenChanges_IsSummarized_AndLaterChangesAreStillAudited()
    {
        var (tenantId, _) = await _host.CreateTenantAsync();
        using var reader = _host.AdminClient(_host.AdminToken(tenantId, "Read Only Operator"));
        using var admin = _host.AdminClient(_host.AdminToken(tenantId));
        const int attempts = 40;

        var refused = new List<HttpStatusCode>();
        for (var i = 0; i < attempts; i++)
        {
            refused.Add((await reader.PostAsJsonAsync("groups", new JsonObject { ["displayName"] = $"Not allowed {i}" })).StatusCode);
        }

        var created = await admin.PostAsJsonAsync("groups", new JsonObject { ["displayName"] = "Allowed" });
        var summary = await WaitForSummaryAsync(admin);
        var events = await EventsAsync(admin, "activityType eq 'Create Group'");

        Assert.All(refused, s => Assert.Equal(HttpStatusCode.Forbidden, s));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Single(events, e => (string?)e["activityResult"] == "Success");
        Assert.Equal(Individually, events.Count(e => (string?)e["activityResult"] == "Failure"));
        var row = Assert.Single(summary["resources"]!.AsArray());
        Assert.Equal("Create Group", (string?)row!["displayName"]);
        Assert.Equal((attempts - Individually).ToString(), (string?)row["modifiedProperties"]!.AsArray().Single(p => (string?)p!["displayName"] == "count")!["newValue"]);
    }

    [Fact]
    public async Task AChange_WhoseAuditEventCannotBeWritten_Is503()
    {
        var (tenantId, _) = await _host.CreateTenantAsync();
        using var admin = _host.AdminClient(_host.AdminToken(tenantId));
        var first = await admin.PostAsJsonAsync("groups", new JsonObject { ["displayName"] = "Audited" });
        await _host.Tables.DeleteTableAsync(ScaleUnitStorageLayout.For(_host.Unit).Store(TableAuditEventStore.StoreId).Name);

        var unaudited = await admin.PostAsJsonAsync("groups", new JsonObject { ["displayName"] = "Not audited" });
        var body = await unaudited.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unaudited.StatusCode);
        Assert.Equal("serviceNotAvailable", (string?)body!["error"]!["code"]);
        Assert.Contains("audit event could not be recorded", (string?)body["error"]!["message"], StringComparison.Ordinal);
    }

    /// <summary>The summary is written when the two-second window closes: wait for it (bounded), no fixed sleep.</summary>
    private static async Task<JsonObject> WaitForSummaryAsync(HttpClient admin)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if ((await EventsAsync(admin, $"activityType eq '{FailedAttemptAudit.SummaryActivity}'")).FirstOrDefault() is { } summary)
            {
                return summary;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
        }
    }

    private static async Task<List<JsonObject>> EventsAsync(HttpClient admin, string filter) =>
        (await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/auditEvents?$filter={Uri.EscapeDataString(filter)}"))!["value"]!.AsArray().Select(e => e!.AsObject()).ToList();
}
