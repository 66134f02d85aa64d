using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;

namespace Intune.AdminGateway.Tests.Graph;

/// <summary>OData breadth as admin tools use it: nested $expand, $select/$filter/$orderby/$top/$count on every held collection, named refusals.</summary>
public sealed class GraphODataTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private ScaleUnitTestHost Host => fixture.Host;

    private async Task<(string TenantId, GraphServiceClient Graph)> TenantWithPoliciesAsync(params string[] names)
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        var graph = GraphSdkClient.For(Host, tenantId);
        foreach (var name in names)
        {
            await graph.DeviceManagement.DeviceCompliancePolicies.PostAsync(new Windows10CompliancePolicy
            {
                DisplayName = name,
                PasswordRequired = true,
                ScheduledActionsForRule =
                [
                    new DeviceComplianceScheduledActionForRule
                    {
                        RuleName = "PasswordRequired",
                        ScheduledActionConfigurations = [new DeviceComplianceActionItem { ActionType = DeviceComplianceActionType.Block, GracePeriodHours = 12 }],
                    },
                ],
            });
        }

        return (tenantId, graph);
    }

    [Fact]
    public async Task NestedExpand_AsBackupToolsSendIt_ReturnsRulesWithTheirActions()
    {
        var (_, graph) = await TenantWithPoliciesAsync("Baseline");

        var page = await graph.DeviceManagement.DeviceCompliancePolicies.GetAsync(r => r.QueryParameters.Expand = ["scheduledActionsForRule($expand=scheduledActionConfigurations)", "assignments"]);

        var policy = Assert.Single(page!.Value!);
        var rule = Assert.Single(policy.ScheduledActionsForRule!);
        var action = Assert.Single(rule.ScheduledActionConfigurations!);
        Assert.Equal(DeviceComplianceActionType.Block, action.ActionType);
        Assert.Equal(12, action.GracePeriodHours);
        Assert.NotNull(policy.Assignments);
    }

    [Theory]
    [InlineData("scheduledActionsForRule($expand=somethingElse)", "somethingElse")]
    [InlineData("scheduledActionsForRule($select=ruleName)", "$select")]
    [InlineData("deviceStatuses", "deviceStatuses")]
    [InlineData("assignments($expand=target)", "assignments")]
    public async Task UnservedExpand_Is400NamingIt(string expand, string named)
    {
        var (_, graph) = await TenantWithPoliciesAsync();

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.DeviceManagement.DeviceCompliancePolicies.GetAsync(r => r.QueryParameters.Expand = [expand]));

        Assert.Equal(400, error.ResponseStatusCode);
        Assert.Contains(named, error.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FilterSelectOrderCount_OnPolicies()
    {
        var (_, graph) = await TenantWithPoliciesAsync("Alpha", "Beta", "alpine", "Gamma");

        var page = await graph.DeviceManagement.DeviceCompliancePolicies.GetAsync(r =>
        {
            r.QueryParameters.Filter = "startswith(displayName,'al') or displayName eq 'GAMMA'";
            r.QueryParameters.Select = ["id", "displayName"];
            r.QueryParameters.Orderby = ["displayName desc"];
            r.QueryParameters.Count = true;
        });

        Assert.Equal(["Gamma", "alpine", "Alpha"], page!.Value!.Select(p => p.DisplayName));
        Assert.Equal(3, page.OdataCount);
        Assert.All(page.Value!, p => Assert.Null(p.CreatedDateTime));
        Assert.All(page.Value!, p => Assert.IsType<Windows10CompliancePolicy>(p));
    }

    [Fact]
    public async Task Top_FollowsNextLinkThroughThePageIterator()
    {
        var (_, graph) = await TenantWithPoliciesAsync("P1", "P2", "P3", "P4", "P5");
        var first = await graph.DeviceManagement.DeviceCompliancePolicies.GetAsync(r =>
        {
            r.QueryParameters.Top = 2;
            r.QueryParameters.Orderby = ["displayName"];
        });
        var seen = new List<string>();

        await PageIterator<DeviceCompliancePolicy, DeviceCompliancePolicyCollectionResponse>.CreatePageIterator(graph, first!, p =>
        {
            seen.Add(p.DisplayName!);
            return true;
        }).IterateAsync();

        Assert.Equal(["P1", "P2", "P3", "P4", "P5"], seen);
    }

    [Fact]
    public async Task RoleDefinitions_FilterByIsBuiltIn()
    {
        var (_, graph) = await TenantWithPoliciesAsync();

        var builtIn = await graph.DeviceManagement.RoleDefinitions.GetAsync(r => r.QueryParameters.Filter = "isBuiltIn eq true");
        var custom = await graph.DeviceManagement.RoleDefinitions.GetAsync(r => r.QueryParameters.Filter = "isBuiltIn eq false");

        Assert.Contains(builtIn!.Value!, d => d.DisplayName == "Intune Administrator");
        Assert.All(builtIn.Value!, d => Assert.True(d.IsBuiltIn));
        Assert.Empty(custom!.Value!);
    }

    [Fact]
    public async Task ManagedDevices_StartswithOperatingSystem()
    {
        var (tenantId, token) = await Host.CreateTenantAsync();
        using var device = Host.NewDevice(Intune.Device.V1.Platform.Windows);
        await device.EnrollAsync(token);
        var graph = GraphSdkClient.For(Host, tenantId, "beta");

        var windows = await graph.DeviceManagement.ManagedDevices.GetAsync(r => r.QueryParameters.Filter = "startswith(operatingSystem,'Win')");
        var ios = await graph.DeviceManagement.ManagedDevices.GetAsync(r => r.QueryParameters.Filter = "startswith(operatingSystem,'iOS')");

        Assert.Single(windows!.Value!);
        Assert.Empty(ios!.Value!);
    }

    [Fact]
    public async Task Filter_OnAnEmptyCollection_IsAnEmptyAnswerNotAnError()
    {
        var (_, graph) = await TenantWithPoliciesAsync();

        var page = await graph.DeviceManagement.DeviceConfigurations.GetAsync(r => r.QueryParameters.Filter = "displayName eq 'Not there yet'");

        Assert.Empty(page!.Value!);
    }

    [Theory]
    [InlineData("deviceManagement/deviceCompliancePolicies?$search=\"alpha\"", "$search")]
    [InlineData("deviceManagement/roleDefinitions?$apply=groupby((displayName))", "$apply")]
    [InlineData("deviceManagement/deviceCompliancePolicies?$filter=displayName eq", "Invalid query")]
    [InlineData("deviceManagement/deviceEnrollmentConfigurations?$filter=frobnicate(displayName)", "frobnicate")]
    [InlineData("deviceManagement/deviceCompliancePolicies?$expand=scheduledActionsForRule(", "unclosed")]
    public async Task UnservedOrBadOption_Is400NamingIt(string url, string named)
    {
        var (tenantId, _) = await Host.CreateTenantAsync();
        using var admin = Host.AdminClient(Host.AdminToken(tenantId), "beta");

        var response = await admin.GetAsync(url);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(named, (string?)error["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Select_OnAnEntity_ReturnsOnlyThoseProperties()
    {
        var (tenantId, graph) = await TenantWithPoliciesAsync("Only");
        var id = (await graph.DeviceManagement.DeviceCompliancePolicies.GetAsync())!.Value!.Single().Id;
        using var admin = Host.AdminClient(Host.AdminToken(tenantId));

        var policy = await admin.GetFromJsonAsync<JsonObject>($"deviceManagement/deviceCompliancePolicies/{id}?$select=displayName");
        var bad = await admin.GetAsync($"deviceManagement/deviceCompliancePolicies/{id}?$select=nope");

        Assert.Equal("Only", (string?)policy!["displayName"]);
        Assert.False(policy.ContainsKey("passwordRequired"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }
}
