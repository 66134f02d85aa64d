using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Operations;
using Intune.Grains.Policies;

namespace Intune.AdminGateway.Resources.Policies;

/// <summary>
/// The operations of one policy collection (compliance policies or configuration profiles): the
/// same operations with each kind's permissions and audit names, for REST and gRPC alike.
/// </summary>
public sealed record PolicyOperations(
    AdminOperation List,
    AdminOperation Get,
    AdminOperation Create,
    AdminOperation Update,
    AdminOperation Delete,
    AdminOperation Assign,
    AdminOperation ScheduleActions,
    AdminOperation Reports,
    AdminOperation Summary)
{
    public static readonly PolicyOperations Compliance = Of(
        "deviceCompliancePolicies", "DeviceCompliancePolicy", AuditCategories.Compliance, AdminPermissions.CompliancePoliciesRead,
        AdminPermissions.CompliancePoliciesCreate, AdminPermissions.CompliancePoliciesUpdate, AdminPermissions.CompliancePoliciesDelete, AdminPermissions.CompliancePoliciesAssign);

    public static readonly PolicyOperations Configuration = Of(
        "deviceConfigurations", "DeviceConfiguration", AuditCategories.DeviceConfiguration, AdminPermissions.DeviceConfigurationsRead,
        AdminPermissions.DeviceConfigurationsCreate, AdminPermissions.DeviceConfigurationsUpdate, AdminPermissions.DeviceConfigurationsDelete, AdminPermissions.DeviceConfigurationsAssign);

    public static PolicyOperations For(PolicyKind kind) => kind == PolicyKind.Compliance ? Compliance : Configuration;

    /// <summary>One operation of each kind, for gRPC methods whose request names the kind.</summary>
    public static IReadOnlyList<AdminOperation> Both(Func<PolicyOperations, AdminOperation> operation) => [operation(Compliance), operation(Configuration)];

    private static PolicyOperations Of(string collection, string resource, string category, string read, string create, string update, string delete, string assign) => new(
        AdminOperation.Read($"{collection}.list", read),
        AdminOperation.Read($"{collection}.get", read),
        AdminOperation.Change($"{collection}.create", create, resource, "Create", category),
        AdminOperation.Change($"{collection}.update", update, resource, "Patch", category),
        AdminOperation.Change($"{collection}.delete", delete, resource, "Delete", category),
        AdminOperation.Change($"{collection}.assign", assign, resource, "Action", category, "assign"),
        AdminOperation.Change($"{collection}.scheduleActionsForRules", update, resource, "Action", category, "scheduleActionsForRules"),
        AdminOperation.Read($"{collection}.reports", read),
        AdminOperation.Read($"{collection}.summary", read));
}
