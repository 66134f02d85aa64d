using System.Text.Json.Nodes;
using Intune.AdminGateway.Application;
using Intune.AdminGateway.Auth;
using Intune.Grains.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Graph;

/// <summary>
/// <c>/v1.0/deviceManagement/deviceCompliancePolicies</c> and <c>/deviceConfigurations</c>:
/// CRUD with <c>@odata.type</c> polymorphism, <c>assign</c> (replaces all, 200 + value), and the
/// incrementally kept status reports.
/// </summary>
public static class PoliciesApi
{
    public static RouteGroupBuilder MapPoliciesApi(this RouteGroupBuilder v1)
    {
        Map(v1, "deviceCompliancePolicies", PolicyKind.Compliance, PolicyPermissions.Compliance);
        Map(v1, "deviceConfigurations", PolicyKind.Configuration, PolicyPermissions.Configuration);
        return v1;
    }

    private static void Map(RouteGroupBuilder v1, string collection, PolicyKind kind, PolicyPermissions permissions)
    {
        var contextPath = $"deviceManagement/{collection}";
        var group = v1.MapGroup($"/deviceManagement/{collection}");

        group.MapGet("", (HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            var (actions, assignments) = Expand(context);
            var policies = await admin.ListPoliciesAsync(Tenant(context), kind);
            var values = new List<JsonNode>();
            foreach (var policy in policies)
            {
                var assigned = assignments ? await (await admin.PolicyAsync(Tenant(context), policy.Id)).GetAssignmentsAsync() : null;
                values.Add(PolicyGraphMapping.Write(policy, actions, assigned));
            }

            return GraphResults.Collection(context, contextPath, values);
        })).RequirePermission(permissions.Read);

        group.MapGet("/{id}", (string id, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            var policy = await admin.FindPolicyAsync(Tenant(context), id, kind);
            var (actions, assignments) = Expand(context);
            var assigned = assignments ? await (await admin.PolicyAsync(Tenant(context), id)).GetAssignmentsAsync() : null;
            return GraphResults.Entity(context, $"{contextPath}/$entity", PolicyGraphMapping.Write(policy, actions, assigned));
        })).RequirePermission(permissions.Read);

        group.MapPost("", (HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            var created = await admin.CreatePolicyAsync(Tenant(context), kind, await GraphResults.ReadBodyAsync(context));
            context.Response.Headers.Location = $"{GraphResults.BaseUrl(context)}/{contextPath}/{created.Id}";
            return GraphResults.Entity(context, $"{contextPath}/$entity", PolicyGraphMapping.Write(created, expandActions: false, null), StatusCodes.Status201Created);
        })).RequirePermission(permissions.Create);

        group.MapPatch("/{id}", (string id, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            await admin.UpdatePolicyAsync(Tenant(context), id, kind, await GraphResults.ReadBodyAsync(context));
            return Results.NoContent();
        })).RequirePermission(permissions.Update);

        group.MapDelete("/{id}", (string id, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            await admin.DeletePolicyAsync(Tenant(context), id, kind);
            return Results.NoContent();
        })).RequirePermission(permissions.Delete);

        group.MapPost("/{id}/assign", (string id, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            await admin.FindPolicyAsync(Tenant(context), id, kind);
            var targets = PolicyGraphMapping.ReadAssignments(await GraphResults.ReadBodyAsync(context));
            var assignments = await admin.AssignPolicyAsync(Tenant(context), id, kind, targets);
            return GraphResults.Collection(context, $"Collection(microsoft.graph.{(kind == PolicyKind.Compliance ? "deviceCompliancePolicyAssignment" : "deviceConfigurationAssignment")})", PolicyGraphMapping.WriteAssignments(assignments).Select(a => a!.DeepClone()));
        })).RequirePermission(permissions.Assign);

        group.MapGet("/{id}/assignments", (string id, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            var assignments = await (await admin.ExistingPolicyAsync(Tenant(context), id, kind)).GetAssignmentsAsync();
            return GraphResults.Collection(context, $"{contextPath}('{id}')/assignments", PolicyGraphMapping.WriteAssignments(assignments).Select(a => a!.DeepClone()));
        })).RequirePermission(permissions.Read);

        if (kind == PolicyKind.Compliance)
        {
            group.MapPost("/{id}/scheduleActionsForRules", (string id, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
            {
                await admin.FindPolicyAsync(Tenant(context), id, kind);
                var body = await GraphResults.ReadBodyAsync(context);
                await admin.ScheduleActionsForRulesAsync(Tenant(context), id, PolicyGraphMapping.ReadScheduledActions(body["deviceComplianceScheduledActionForRules"]));
                return Results.NoContent();
            })).RequirePermission(permissions.Update);
        }

        group.MapGet("/{id}/deviceStatuses", (string id, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            var rows = await (await admin.ExistingPolicyAsync(Tenant(context), id, kind)).GetDeviceStatusesAsync();
            return GraphResults.Collection(context, $"{contextPath}('{id}')/deviceStatuses", rows.Select(r => (JsonNode)new JsonObject
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
        })).RequirePermission(permissions.Read);

        group.MapGet("/{id}/userStatuses", (string id, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            var rows = await (await admin.ExistingPolicyAsync(Tenant(context), id, kind)).GetUserStatusesAsync();
            return GraphResults.Collection(context, $"{contextPath}('{id}')/userStatuses", rows.Select(r => (JsonNode)new JsonObject
            {
                ["id"] = $"{id}_{r.UserPrincipalName}",
                ["userDisplayName"] = r.UserPrincipalName,
                ["devicesCount"] = r.DevicesCount,
                ["status"] = PolicyGraphMapping.ComplianceStatus(r.State),
                ["lastReportedDateTime"] = GraphResults.Date(r.LastReportedDateTime),
                ["userPrincipalName"] = r.UserPrincipalName,
            }));
        })).RequirePermission(permissions.Read);

        group.MapGet("/{id}/deviceStatusOverview", (string id, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            var overview = await (await admin.ExistingPolicyAsync(Tenant(context), id, kind)).GetDeviceOverviewAsync();
            return GraphResults.Entity(context, $"{contextPath}('{id}')/deviceStatusOverview/$entity", Overview($"{id}_deviceStatusOverview", overview, kind));
        })).RequirePermission(permissions.Read);

        group.MapGet("/{id}/userStatusOverview", (string id, HttpContext context, PolicyAdministration admin) => GraphResults.GuardAsync(async () =>
        {
            var overview = await (await admin.ExistingPolicyAsync(Tenant(context), id, kind)).GetUserOverviewAsync();
            return GraphResults.Entity(context, $"{contextPath}('{id}')/userStatusOverview/$entity", Overview($"{id}_userStatusOverview", overview, kind));
        })).RequirePermission(permissions.Read);
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

    private static (bool Actions, bool Assignments) Expand(HttpContext context)
    {
        var expand = context.Request.Query["$expand"].ToString();
        var parts = expand.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.FirstOrDefault(p => p is not ("scheduledActionsForRule" or "assignments")) is { } unsupported)
        {
            throw new PolicyValidationException($"$expand={unsupported} is not supported; supported: scheduledActionsForRule, assignments.");
        }

        return (parts.Contains("scheduledActionsForRule"), parts.Contains("assignments"));
    }

    private static string Tenant(HttpContext context) => context.User.GetTenantId()!;
}
