using System.Text.Json.Nodes;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Graph;
using Intune.AdminGateway.Graph.OData;
using Intune.AdminGateway.Operations;
using Intune.Grains.Errors;
using Intune.Grains.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Resources.Policies;

/// <summary>
/// <c>/v1.0/deviceManagement/deviceCompliancePolicies</c> and <c>/deviceConfigurations</c>:
/// CRUD with <c>@odata.type</c> polymorphism, <c>assign</c> (replaces all, 200 + value), the
/// incrementally kept status reports, and the tenant-wide device state summaries.
/// </summary>
public static class PoliciesApi
{
    public static RouteGroupBuilder MapPoliciesApi(this RouteGroupBuilder v1)
    {
        Map(v1, "deviceCompliancePolicies", PolicyKind.Compliance);
        Map(v1, "deviceConfigurations", PolicyKind.Configuration);

        v1.MapGet("/deviceManagement/deviceCompliancePolicyDeviceStateSummary", async (HttpContext context, PolicyService policies) =>
        {
            var s = await policies.SummaryAsync(context.CallerTenantId(), PolicyKind.Compliance);
            return GraphResults.Entity(context, "deviceManagement/deviceCompliancePolicyDeviceStateSummary/$entity", new JsonObject
            {
                ["id"] = "deviceCompliancePolicyDeviceStateSummary",
                ["inGracePeriodCount"] = s.InGracePeriodCount,
                ["configManagerCount"] = 0,
                ["unknownDeviceCount"] = s.UnknownDeviceCount,
                ["notApplicableDeviceCount"] = s.NotApplicableDeviceCount,
                ["compliantDeviceCount"] = s.CompliantDeviceCount,
                ["remediatedDeviceCount"] = s.RemediatedDeviceCount,
                ["nonCompliantDeviceCount"] = s.NonCompliantDeviceCount,
                ["errorDeviceCount"] = s.ErrorDeviceCount,
                ["conflictDeviceCount"] = s.ConflictDeviceCount,
            });
        }).Is(PolicyOperations.Compliance.Summary);

        v1.MapGet("/deviceManagement/deviceConfigurationDeviceStateSummaries", async (HttpContext context, PolicyService policies) =>
        {
            var s = await policies.SummaryAsync(context.CallerTenantId(), PolicyKind.Configuration);
            return GraphResults.Entity(context, "deviceManagement/deviceConfigurationDeviceStateSummaries/$entity", new JsonObject
            {
                ["id"] = "deviceConfigurationDeviceStateSummaries",
                ["unknownDeviceCount"] = s.UnknownDeviceCount,
                ["notApplicableDeviceCount"] = s.NotApplicableDeviceCount,
                ["compliantDeviceCount"] = s.CompliantDeviceCount,
                ["remediatedDeviceCount"] = s.RemediatedDeviceCount,
                ["nonCompliantDeviceCount"] = s.NonCompliantDeviceCount + s.InGracePeriodCount,
                ["errorDeviceCount"] = s.ErrorDeviceCount,
                ["conflictDeviceCount"] = s.ConflictDeviceCount,
            });
        }).Is(PolicyOperations.Configuration.Summary);
        return v1;
    }

    private static void Map(RouteGroupBuilder v1, string collection, PolicyKind kind)
    {
        var operations = PolicyOperations.For(kind);
        var contextPath = $"deviceManagement/{collection}";
        var group = v1.MapGroup($"/deviceManagement/{collection}");

        group.MapGet("", async (HttpContext context, PolicyService policies) =>
        {
            var (actions, assignments) = Expand(context, kind);
            var values = new List<JsonNode?>();
            foreach (var policy in await policies.ListAsync(context.CallerTenantId(), kind))
            {
                values.Add(PolicyGraphMapping.Write(policy, actions, await policies.AssignmentsAsync(context.CallerTenantId(), policy.Id, assignments)));
            }

            return GraphResults.Collection(context, contextPath, values, "$expand");
        }).Is(operations.List);

        group.MapGet("/{id}", async (string id, HttpContext context, PolicyService policies) =>
        {
            var policy = await policies.GetAsync(context.CallerTenantId(), id, kind);
            var (actions, assignments) = Expand(context, kind);
            return GraphResults.Entity(context, $"{contextPath}/$entity", PolicyGraphMapping.Write(policy, actions, await policies.AssignmentsAsync(context.CallerTenantId(), id, assignments)));
        }).Is(operations.Get);

        group.MapPost("", async (HttpContext context, PolicyService policies, AuditRecorder audit) =>
        {
            var created = await policies.CreateAsync(context.CallerTenantId(), kind, await GraphRequestBody.ReadRequiredObjectAsync(context), audit);
            return GraphResults.Created(context, $"{contextPath}/$entity", $"{contextPath}/{created.Id}", PolicyGraphMapping.Write(created, expandActions: false, null));
        }).Is(operations.Create);

        group.MapPatch("/{id}", async (string id, HttpContext context, PolicyService policies, AuditRecorder audit) =>
        {
            await policies.UpdateAsync(context.CallerTenantId(), id, kind, await GraphRequestBody.ReadRequiredObjectAsync(context), audit);
            return Results.NoContent();
        }).Is(operations.Update);

        group.MapDelete("/{id}", async (string id, HttpContext context, PolicyService policies, AuditRecorder audit) =>
        {
            await policies.DeleteAsync(context.CallerTenantId(), id, kind, audit);
            return Results.NoContent();
        }).Is(operations.Delete);

        group.MapPost("/{id}/assign", async (string id, HttpContext context, PolicyService policies, AuditRecorder audit) =>
        {
            // A missing policy is 404 before the body is judged, as Graph answers.
            await policies.GetAsync(context.CallerTenantId(), id, kind);
            var targets = PolicyGraphMapping.ReadAssignments(await GraphRequestBody.ReadRequiredObjectAsync(context));
            var assignments = await policies.AssignAsync(context.CallerTenantId(), id, kind, targets, audit);
            return GraphResults.Collection(context, $"Collection(microsoft.graph.{(kind == PolicyKind.Compliance ? "deviceCompliancePolicyAssignment" : "deviceConfigurationAssignment")})", PolicyGraphMapping.WriteAssignments(assignments).Select(a => a!.DeepClone()));
        }).Is(operations.Assign);

        group.MapGet("/{id}/assignments", async (string id, HttpContext context, PolicyService policies) =>
        {
            var assignments = await (await policies.ExistingAsync(context.CallerTenantId(), id, kind)).GetAssignmentsAsync();
            return GraphResults.Collection(context, $"{contextPath}('{id}')/assignments", PolicyGraphMapping.WriteAssignments(assignments).Select(a => a!.DeepClone()));
        }).Is(operations.Get);

        if (kind == PolicyKind.Compliance)
        {
            group.MapPost("/{id}/scheduleActionsForRules", async (string id, HttpContext context, PolicyService policies, AuditRecorder audit) =>
            {
                await policies.GetAsync(context.CallerTenantId(), id, kind);
                var body = await GraphRequestBody.ReadRequiredObjectAsync(context);
                await policies.ScheduleActionsForRulesAsync(context.CallerTenantId(), id, PolicyGraphMapping.ReadScheduledActions(body["deviceComplianceScheduledActionForRules"]), audit);
                return Results.NoContent();
            }).Is(operations.ScheduleActions);
        }

        group.MapGet("/{id}/deviceStatuses", async (string id, HttpContext context, PolicyService policies) =>
        {
            var rows = await (await policies.ExistingAsync(context.CallerTenantId(), id, kind)).GetDeviceStatusesAsync();
            return GraphResults.Collection(context, $"{contextPath}('{id}')/deviceStatuses", rows.Select(r => (JsonNode?)new JsonObject
            {
                ["id"] = $"{id}_{r.DeviceId}",
                ["deviceDisplayName"] = r.DeviceDisplayName,
                ["userName"] = r.UserPrincipalName,
                ["deviceModel"] = r.DeviceModel,
                ["complianceGracePeriodExpirationDateTime"] = GraphResults.Date(r.GracePeriodExpiration ?? default),
                ["status"] = PolicyGraphMapping.ComplianceStatus(r.State),
                ["lastReportedDateTime"] = GraphResults.Date(r.LastReportedDateTime),
                ["userPrincipalName"] = r.UserPrincipalName,
            }));
        }).Is(operations.Reports);

        group.MapGet("/{id}/userStatuses", async (string id, HttpContext context, PolicyService policies) =>
        {
            var rows = await (await policies.ExistingAsync(context.CallerTenantId(), id, kind)).GetUserStatusesAsync();
            return GraphResults.Collection(context, $"{contextPath}('{id}')/userStatuses", rows.Select(r => (JsonNode?)new JsonObject
            {
                ["id"] = $"{id}_{r.UserPrincipalName}",
                ["userDisplayName"] = r.UserPrincipalName,
                ["devicesCount"] = r.DevicesCount,
                ["status"] = PolicyGraphMapping.ComplianceStatus(r.State),
                ["lastReportedDateTime"] = GraphResults.Date(r.LastReportedDateTime),
                ["userPrincipalName"] = r.UserPrincipalName,
            }));
        }).Is(operations.Reports);

        group.MapGet("/{id}/deviceStatusOverview", async (string id, HttpContext context, PolicyService policies) =>
        {
            var overview = await (await policies.ExistingAsync(context.CallerTenantId(), id, kind)).GetDeviceOverviewAsync();
            return GraphResults.Entity(context, $"{contextPath}('{id}')/deviceStatusOverview/$entity", Overview($"{id}_deviceStatusOverview", overview, kind));
        }).Is(operations.Reports);

        group.MapGet("/{id}/userStatusOverview", async (string id, HttpContext context, PolicyService policies) =>
        {
            var overview = await (await policies.ExistingAsync(context.CallerTenantId(), id, kind)).GetUserOverviewAsync();
            return GraphResults.Entity(context, $"{contextPath}('{id}')/userStatusOverview/$entity", Overview($"{id}_userStatusOverview", overview, kind));
        }).Is(operations.Reports);
    }

    private static JsonObject Overview(string id, PolicyOverview overview, PolicyKind kind)
    {
        var json = new JsonObject
        {
            ["id"] = id,
            ["pendingCount"] = overview.PendingCount,
            ["notApplicableCount"] = overview.NotApplicableCount,
            ["successCount"] = overview.SuccessCount,
            ["errorCount"] = overview.ErrorCount,
            ["failedCount"] = overview.FailedCount,
            ["lastUpdateDateTime"] = GraphResults.Date(overview.LastUpdateDateTime),
            ["configurationVersion"] = overview.ConfigurationVersion,
        };
        if (kind == PolicyKind.Configuration)
        {
            // Not a Graph v1.0 property of the overview; kept beside it so conflicts are visible (docs/compliance.md).
            json["conflictCount"] = overview.ConflictCount;
        }

        return json;
    }

    private static (bool Actions, bool Assignments) Expand(HttpContext context, PolicyKind kind)
    {
        var allowed = kind == PolicyKind.Compliance ? ComplianceExpand : ConfigurationExpand;
        var expanded = GraphExpand.Parse(context.Request.Query["$expand"].ToString(), allowed, kind == PolicyKind.Compliance ? "deviceCompliancePolicies" : "deviceConfigurations");
        return (expanded.Contains("scheduledActionsForRule"), expanded.Contains("assignments"));
    }

    // scheduledActionConfigurations are always written inside their rule; tools ask for them by name.
    private static readonly Dictionary<string, string[]> ComplianceExpand = new(StringComparer.Ordinal)
    {
        ["scheduledActionsForRule"] = ["scheduledActionConfigurations"],
        ["assignments"] = [],
    };

    private static readonly Dictionary<string, string[]> ConfigurationExpand = new(StringComparer.Ordinal)
    {
        ["assignments"] = [],
    };
}
