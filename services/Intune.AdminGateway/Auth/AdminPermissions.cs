using System.Security.Claims;

namespace Intune.AdminGateway.Auth;

/// <summary>
/// Intune resource operations (the names Intune's RBAC uses in <c>resourceActions</c>). Every
/// admin operation names the one it needs in its <see cref="Operations.AdminOperation"/>.
/// </summary>
public static class AdminPermissions
{
    public const string ManagedDevicesRead = "Microsoft.Intune_ManagedDevices_Read";
    public const string ManagedDevicesUpdate = "Microsoft.Intune_ManagedDevices_Update";
    public const string ManagedDevicesDelete = "Microsoft.Intune_ManagedDevices_Delete";
    public const string RemoteTasksRetire = "Microsoft.Intune_RemoteTasks_Retire";
    public const string RemoteTasksWipe = "Microsoft.Intune_RemoteTasks_Wipe";
    public const string RemoteTasksRemoteLock = "Microsoft.Intune_RemoteTasks_RemoteLock";
    public const string RemoteTasksSyncDevice = "Microsoft.Intune_RemoteTasks_SyncDevice";
    public const string RemoteTasksRebootNow = "Microsoft.Intune_RemoteTasks_RebootNow";
    public const string RemoteTasksResetPasscode = "Microsoft.Intune_RemoteTasks_ResetPasscode";
    public const string RemoteTasksShutDown = "Microsoft.Intune_RemoteTasks_ShutDown";
    // Intune's own spelling ("Polices") is kept so role definitions match the real service.
    public const string CompliancePoliciesRead = "Microsoft.Intune_DeviceCompliancePolices_Read";
    public const string CompliancePoliciesCreate = "Microsoft.Intune_DeviceCompliancePolices_Create";
    public const string CompliancePoliciesUpdate = "Microsoft.Intune_DeviceCompliancePolices_Update";
    public const string CompliancePoliciesDelete = "Microsoft.Intune_DeviceCompliancePolices_Delete";
    public const string CompliancePoliciesAssign = "Microsoft.Intune_DeviceCompliancePolices_Assign";
    public const string DeviceConfigurationsRead = "Microsoft.Intune_DeviceConfigurations_Read";
    public const string DeviceConfigurationsCreate = "Microsoft.Intune_DeviceConfigurations_Create";
    public const string DeviceConfigurationsUpdate = "Microsoft.Intune_DeviceConfigurations_Update";
    public const string DeviceConfigurationsDelete = "Microsoft.Intune_DeviceConfigurations_Delete";
    public const string DeviceConfigurationsAssign = "Microsoft.Intune_DeviceConfigurations_Assign";
    public const string MobileAppsRead = "Microsoft.Intune_MobileApps_Read";
    public const string MobileAppsCreate = "Microsoft.Intune_MobileApps_Create";
    public const string MobileAppsUpdate = "Microsoft.Intune_MobileApps_Update";
    public const string MobileAppsDelete = "Microsoft.Intune_MobileApps_Delete";
    public const string MobileAppsAssign = "Microsoft.Intune_MobileApps_Assign";
    public const string ManagedAppsRead = "Microsoft.Intune_ManagedApps_Read";
    public const string ManagedAppsCreate = "Microsoft.Intune_ManagedApps_Create";
    public const string ManagedAppsUpdate = "Microsoft.Intune_ManagedApps_Update";
    public const string ManagedAppsDelete = "Microsoft.Intune_ManagedApps_Delete";
    public const string ManagedAppsAssign = "Microsoft.Intune_ManagedApps_Assign";
    public const string EnrollmentRead = "Microsoft.Intune_DeviceEnrollment_Read";
    public const string EnrollmentWrite = "Microsoft.Intune_DeviceEnrollment_Update";
    public const string OrganizationRead = "Microsoft.Intune_Organization_Read";
    public const string OrganizationUpdate = "Microsoft.Intune_Organization_Update";
    public const string GroupsRead = "Microsoft.Intune_Groups_Read";
    public const string GroupsWrite = "Microsoft.Intune_Groups_Update";
    public const string RolesRead = "Microsoft.Intune_Roles_Read";
    public const string RolesWrite = "Microsoft.Intune_Roles_Update";
    public const string AuditRead = "Microsoft.Intune_Audit_Read";
    public const string TermsAndConditionsRead = "Microsoft.Intune_TermsAndConditions_Read";
    public const string TermsAndConditionsCreate = "Microsoft.Intune_TermsAndConditions_Create";
    public const string TermsAndConditionsUpdate = "Microsoft.Intune_TermsAndConditions_Update";
    public const string TermsAndConditionsDelete = "Microsoft.Intune_TermsAndConditions_Delete";

    public static readonly IReadOnlyList<string> All = typeof(AdminPermissions).GetFields()
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToList();
}

/// <summary>Intune's built-in roles (docs/architecture.md §9) as sets of resource operations.</summary>
public static class BuiltInRoles
{
    public const string IntuneAdministrator = "Intune Administrator";
    public const string PolicyAndProfileManager = "Policy and Profile Manager";
    public const string ApplicationManager = "Application Manager";
    public const string HelpDeskOperator = "Help Desk Operator";
    public const string ReadOnlyOperator = "Read Only Operator";

    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> Permissions = new Dictionary<string, IReadOnlySet<string>>(StringComparer.OrdinalIgnoreCase)
    {
        [IntuneAdministrator] = AdminPermissions.All.ToHashSet(),
        [PolicyAndProfileManager] = new HashSet<string>(
            AdminPermissions.All.Where(p => p.Contains("_DeviceCompliancePolices_") || p.Contains("_DeviceConfigurations_")))
        {
            AdminPermissions.ManagedDevicesRead, AdminPermissions.GroupsRead, AdminPermissions.OrganizationRead,
        },
        [ApplicationManager] = new HashSet<string>(
            AdminPermissions.All.Where(p => p.Contains("_MobileApps_") || p.Contains("_ManagedApps_")))
        {
            AdminPermissions.ManagedDevicesRead, AdminPermissions.GroupsRead, AdminPermissions.OrganizationRead,
        },
        [HelpDeskOperator] = new HashSet<string>(
            AdminPermissions.All.Where(p => p.Contains("_RemoteTasks_") || p.EndsWith("_Read", StringComparison.Ordinal)))
        {
            AdminPermissions.ManagedDevicesUpdate,
        },
        [ReadOnlyOperator] = AdminPermissions.All.Where(p => p.EndsWith("_Read", StringComparison.Ordinal)).ToHashSet(),
    };
}

/// <summary>What a caller may do: the union of the permissions of the roles in its token.</summary>
public interface IPermissionResolver
{
    ValueTask<IReadOnlySet<string>> ResolveAsync(ClaimsPrincipal user, CancellationToken cancellationToken);

    /// <summary>
    /// The scope tags whose objects the caller reaches: null for every tag (roles named in the
    /// token, Entra-assigned, are tenant-wide), otherwise the union of the tags of the caller's role
    /// assignments (an assignment naming none reaches Default, id <c>0</c>).
    /// </summary>
    ValueTask<IReadOnlySet<string>?> ResolveScopeTagsAsync(ClaimsPrincipal user, CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlySet<string>?>(null);
}
