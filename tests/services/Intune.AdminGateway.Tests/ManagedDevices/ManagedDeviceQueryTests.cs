using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Intune.Grains.Devices;

namespace Intune.AdminGateway.Tests.ManagedDevices;

/// <summary>
/// OData on managedDevices at tenant scale: a tenant of <see cref="DeviceCount"/> seeded devices,
/// each query paged to the end through <c>@odata.nextLink</c> and compared with the same query
/// evaluated by LINQ over the seeded rows.
/// </summary>
public sealed class ManagedDeviceQueryTests(ManagedDeviceQueryTests.SeededTenant tenant) : IClassFixture<ManagedDeviceQueryTests.SeededTenant>
{
    public const int DeviceCount = 10_000;

    private static readonly DateTimeOffset WeekAgo = SeededDevices.Now.AddDays(-7);
    private static readonly DateTimeOffset HalfYearAgo = SeededDevices.Now.AddDays(-180);

    public static TheoryData<string, string?, int> Cases => new()
    {
        { "operatingSystem eq 'Windows' and complianceState eq 'noncompliant'", "deviceName", 300 },
        { "startswith(deviceName,'DESKTOP-1') or contains(userPrincipalName,'user7')", "lastSyncDateTime desc", 500 },
        { $"lastSyncDateTime ge {Iso(WeekAgo)} and not (managementState eq 'managed')", null, 1000 },
        { $"enrolledDateTime lt {Iso(HalfYearAgo)} and serialNumber ne null and operatingSystem ne 'iOS'", "lastSyncDateTime", 1000 },
        { "userPrincipalName eq null or complianceState eq 'inGracePeriod'", "deviceName desc", 250 },
        { $"(operatingSystem eq 'macOS' or operatingSystem eq 'iPadOS') and lastSyncDateTime lt {Iso(WeekAgo)} and startswith(serialNumber,'SN0')", "deviceName", 100 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task List_FilterOrderAndPage_MatchesLinqOverEveryDevice(string filter, string? orderBy, int top)
    {
        var expected = Oracle(filter, orderBy).Select(d => d.Id).ToList();
        using var admin = tenant.Admin();
        var url = $"deviceManagement/managedDevices?$filter={Uri.EscapeDataString(filter)}&$top={top}&$count=true&$select=id,deviceName,lastSyncDateTime"
            + (orderBy is null ? string.Empty : $"&$orderby={Uri.EscapeDataString(orderBy)}");

        var seen = new List<string>();
        string? next = url;
        while (next is not null)
        {
            var page = (await admin.GetFromJsonAsync<JsonObject>(next))!;
            Assert.Equal(expected.Count, (long)page["@odata.count"]!);
            var values = page["value"]!.AsArray();
            Assert.InRange(values.Count, 1, top);
            Assert.All(values, v => Assert.Equal(["id", "deviceName", "lastSyncDateTime"], v!.AsObject().Select(p => p.Key)));
            seen.AddRange(values.Select(v => (string)v!["id"]!));
            next = (string?)page["@odata.nextLink"];
            if (next is not null)
            {
                Assert.StartsWith($"http://127.0.0.1:{tenant.Host.AdminPort}/v1.0/deviceManagement/managedDevices?", next);
                Assert.Contains("$skiptoken=", next);
            }
        }

        Assert.NotEmpty(expected);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task Count_Segment_IsPlainTextCountOfFilter()
    {
        using var admin = tenant.Admin();
        var filter = "operatingSystem eq 'Android' or complianceState eq 'unknown'";

        var response = await admin.GetAsync($"deviceManagement/managedDevices/$count?$filter={Uri.EscapeDataString(filter)}");
        var all = await admin.GetStringAsync("deviceManagement/managedDevices/$count");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Oracle(filter, null).Count().ToString(CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync());
        Assert.Equal(DeviceCount.ToString(CultureInfo.InvariantCulture), all);
    }

    [Fact]
    public async Task List_WithoutOptions_ReturnsDefaultPageOfFullDevicesOrderedById()
    {
        using var admin = tenant.Admin();

        var page = (await admin.GetFromJsonAsync<JsonObject>("deviceManagement/managedDevices"))!;

        var values = page["value"]!.AsArray();
        Assert.Equal(100, values.Count);
        Assert.Equal(tenant.Devices.Select(d => d.Id).Order(StringComparer.Ordinal).Take(100), values.Select(v => (string)v!["id"]!));
        Assert.Equal("#microsoft.graph.managedDevice", (string?)values[0]!["@odata.type"]);
        Assert.NotNull(values[0]!["complianceState"]);
        Assert.False(page.ContainsKey("@odata.count"));
    }

    [Fact]
    public async Task List_SkipTokenFromAnotherOrder_Is400()
    {
        using var admin = tenant.Admin();
        var first = (await admin.GetFromJsonAsync<JsonObject>("deviceManagement/managedDevices?$top=5&$orderby=deviceName"))!;
        var token = ((string)first["@odata.nextLink"]!).Split("$skiptoken=")[1];

        var response = await admin.GetAsync($"deviceManagement/managedDevices?$top=5&$orderby=lastSyncDateTime&$skiptoken={token}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("$orderby", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["message"]);
    }

    [Theory]
    [InlineData("deviceName eq", "Expression expected")]
    [InlineData("model eq 'x'", "model")]
    [InlineData("complianceState eq 'sideways'", "sideways")]
    [InlineData("complianceState gt 'compliant'", "eq or ne")]
    [InlineData("lastSyncDateTime ge 'yesterday'", "incompatible types")]
    [InlineData("endswith(deviceName,'1')", "endswith")]
    [InlineData("nosuchProperty eq 1", "nosuchProperty")]
    public async Task List_WithBadFilter_Is400NamingTheProblem(string filter, string expectedInMessage)
    {
        using var admin = tenant.Admin();

        var response = await admin.GetAsync($"deviceManagement/managedDevices?$filter={Uri.EscapeDataString(filter)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;
        Assert.Equal("BadRequest", (string?)error["code"]);
        Assert.Contains(expectedInMessage, (string?)error["message"], StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("$orderby=operatingSystem", "operatingSystem")]
    [InlineData("$orderby=deviceName,lastSyncDateTime", "one property")]
    [InlineData("$select=id,notAProperty", "notAProperty")]
    [InlineData("$top=0", "$top")]
    [InlineData("$expand=users", "$expand")]
    [InlineData("$search=abc", "$search")]
    public async Task List_WithBadOption_Is400NamingTheProblem(string query, string expectedInMessage)
    {
        using var admin = tenant.Admin();

        var response = await admin.GetAsync($"deviceManagement/managedDevices?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expectedInMessage, (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["message"], StringComparison.OrdinalIgnoreCase);
    }

    private static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The cases' filters and orders written again in LINQ, independently of the service's evaluator.</summary>
    private IEnumerable<ManagedDeviceView> Oracle(string filter, string? orderBy)
    {
        Func<ManagedDeviceView, bool> predicate = filter switch
        {
            "operatingSystem eq 'Windows' and complianceState eq 'noncompliant'" =>
                d => d.Platform == DevicePlatform.Windows && d.ComplianceState == ComplianceState.Noncompliant,
            "startswith(deviceName,'DESKTOP-1') or contains(userPrincipalName,'user7')" =>
                d => d.DeviceName.StartsWith("desktop-1", StringComparison.OrdinalIgnoreCase) || (d.UserPrincipalName?.Contains("user7", StringComparison.OrdinalIgnoreCase) ?? false),
            _ when filter.StartsWith("lastSyncDateTime ge", StringComparison.Ordinal) =>
                d => d.LastSyncDateTime >= WeekAgo && d.ManagementState != ManagementState.Managed,
            _ when filter.StartsWith("enrolledDateTime lt", StringComparison.Ordinal) =>
                d => d.EnrolledDateTime < HalfYearAgo && d.Hardware.SerialNumber is not null && d.Platform != DevicePlatform.IOS,
            "userPrincipalName eq null or complianceState eq 'inGracePeriod'" =>
                d => d.UserPrincipalName is null || d.ComplianceState == ComplianceState.InGracePeriod,
            "operatingSystem eq 'Android' or complianceState eq 'unknown'" =>
                d => d.Platform == DevicePlatform.Android || d.ComplianceState == ComplianceState.Unknown,
            _ when filter.StartsWith("(operatingSystem eq 'macOS'", StringComparison.Ordinal) =>
                d => (d.Platform == DevicePlatform.MacOS || d.Platform == DevicePlatform.IPadOS) && d.LastSyncDateTime < WeekAgo && (d.Hardware.SerialNumber?.StartsWith("SN0", StringComparison.OrdinalIgnoreCase) ?? false),
            _ => throw new ArgumentException($"No oracle for '{filter}'."),
        };
        var matched = tenant.Devices.Where(predicate);
        return orderBy switch
        {
            null => matched.OrderBy(d => d.Id, StringComparer.Ordinal),
            "deviceName" => matched.OrderBy(d => d.DeviceName, StringComparer.OrdinalIgnoreCase).ThenBy(d => d.Id, StringComparer.Ordinal),
            "deviceName desc" => matched.OrderByDescending(d => d.DeviceName, StringComparer.OrdinalIgnoreCase).ThenByDescending(d => d.Id, StringComparer.Ordinal),
            "lastSyncDateTime" => matched.OrderBy(d => d.LastSyncDateTime).ThenBy(d => d.Id, StringComparer.Ordinal),
            "lastSyncDateTime desc" => matched.OrderByDescending(d => d.LastSyncDateTime).ThenByDescending(d => d.Id, StringComparer.Ordinal),
            _ => throw new ArgumentException($"No oracle for order '{orderBy}'."),
        };
    }

    /// <summary>One scale unit with one tenant of <see cref="DeviceCount"/> seeded devices, shared by the class.</summary>
    public sealed class SeededTenant : IAsyncLifetime
    {
        public ScaleUnitTestHost Host { get; } = new();

        public string TenantId { get; } = Guid.NewGuid().ToString();

        public IReadOnlyList<ManagedDeviceView> Devices { get; private set; } = [];

        public HttpClient Admin() => Host.AdminClient(Host.AdminToken(TenantId, "Read Only Operator"));

        public async Task InitializeAsync()
        {
            await Host.StartAsync();
            Devices = await Host.SeedAsync(TenantId, DeviceCount);
        }

        public Task DisposeAsync() => Host.StopAsync();
    }
}
