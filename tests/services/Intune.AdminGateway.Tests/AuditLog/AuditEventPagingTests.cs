using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Intune.Grains.Audit;

namespace Intune.AdminGateway.Tests.AuditLog;

/// <summary>One row per event: months of events page newest first through $top and nextLink, and date filters read only their range.</summary>
public sealed class AuditEventPagingTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private ScaleUnitTestHost Host => fixture.Host;

    [Fact]
    public async Task EventsOverThreeMonths_PageNewestFirst_WithoutGapsOrRepeats()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        var written = await SeedAsync(tenantId, count: 150);
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));

        var read = new List<string>();
        string? next = "deviceManagement/auditEvents?$top=40";
        var pages = 0;
        while (next is not null)
        {
            var page = (await admin.GetFromJsonAsync<JsonObject>(next))!;
            read.AddRange(page["value"]!.AsArray().Select(e => (string)e!["id"]!));
            next = (string?)page["@odata.nextLink"];
            pages++;
        }

        Assert.Equal(4, pages);
        Assert.Equal(written.OrderByDescending(e => e.ActivityDateTime).Select(e => e.Id.ToString()), read);
    }

    [Fact]
    public async Task ADateRangeFilter_ReturnsExactlyTheEventsInside()
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        var written = await SeedAsync(tenantId, count: 60);
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));
        var (from, to) = (written[10].ActivityDateTime, written[40].ActivityDateTime);

        var filter = Uri.EscapeDataString($"activityDateTime ge {from:yyyy-MM-ddTHH:mm:ssZ} and activityDateTime le {to:yyyy-MM-ddTHH:mm:ssZ}");
        var page = (await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/auditEvents?$filter={filter}"))!;
        var ids = page["value"]!.AsArray().Select(e => (string)e!["id"]!).ToList();
        var single = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/auditEvents/{written[25].Id}");

        Assert.Equal(written.Skip(10).Take(31).OrderByDescending(e => e.ActivityDateTime).Select(e => e.Id.ToString()), ids);
        Assert.Equal(written[25].Id.ToString(), (string?)single!["id"]);
    }

    /// <summary>Events one every 18 hours back from now (so spread over about three months at 150), written as the gateway writes them.</summary>
    private async Task<List<AuditEvent>> SeedAsync(string tenantId, int count)
    {
        var now = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, count).Select(i =>
        {
            var at = DateTimeOffset.FromUnixTimeSeconds(now.AddHours(-18 * (count - i)).ToUnixTimeSeconds());
            return new AuditEvent
            {
                Id = Guid.CreateVersion7(at),
                DisplayName = "Create Group",
                ComponentName = "Other",
                Actor = new AuditActor("ItPro", "admin@contoso.example", null, null, []),
                Activity = "Create Group",
                ActivityDateTime = at,
                ActivityType = "Create Group",
                ActivityOperationType = "Create",
                ActivityResult = "Success",
                CorrelationId = Guid.Empty,
                Category = "Other",
            };
        }).ToList();
        var log = Host.Grains.GetGrain<IAuditLogGrain>(tenantId);
        foreach (var e in events)
        {
            await log.AppendAsync(e);
        }

        return events;
    }
}
