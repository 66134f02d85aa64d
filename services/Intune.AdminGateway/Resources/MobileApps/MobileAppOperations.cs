using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Operations;

namespace Intune.AdminGateway.Resources.MobileApps;

/// <summary>
/// The operations of <c>/deviceAppManagement/mobileApps</c> with Intune's MobileApps permissions
/// (the Application Manager role's) and audit names, for REST and gRPC alike. Package upload steps
/// change the app, so they need MobileApps_Update and are audited as actions on it.
/// </summary>
public static class MobileAppOperations
{
    private const string Resource = "MobileApp";

    public static readonly AdminOperation List = AdminOperation.Read("mobileApps.list", AdminPermissions.MobileAppsRead);
    public static readonly AdminOperation Get = AdminOperation.Read("mobileApps.get", AdminPermissions.MobileAppsRead);
    public static readonly AdminOperation Create = AdminOperation.Change("mobileApps.create", AdminPermissions.MobileAppsCreate, Resource, "Create", AuditCategories.Application);
    public static readonly AdminOperation Update = AdminOperation.Change("mobileApps.update", AdminPermissions.MobileAppsUpdate, Resource, "Patch", AuditCategories.Application);
    public static readonly AdminOperation Delete = AdminOperation.Change("mobileApps.delete", AdminPermissions.MobileAppsDelete, Resource, "Delete", AuditCategories.Application);
    public static readonly AdminOperation Assign = AdminOperation.Change("mobileApps.assign", AdminPermissions.MobileAppsAssign, Resource, "Action", AuditCategories.Application, "assign");
    public static readonly AdminOperation AddCategory = AdminOperation.Change("mobileApps.categories.add", AdminPermissions.MobileAppsUpdate, Resource, "Action", AuditCategories.Application, "addCategory");
    public static readonly AdminOperation CreateContentVersion = AdminOperation.Change("mobileApps.contentVersions.create", AdminPermissions.MobileAppsUpdate, Resource, "Action", AuditCategories.Application, "createContentVersion");
    public static readonly AdminOperation CreateContentFile = AdminOperation.Change("mobileApps.contentFiles.create", AdminPermissions.MobileAppsUpdate, Resource, "Action", AuditCategories.Application, "createContentFile");
    public static readonly AdminOperation RenewUpload = AdminOperation.Change("mobileApps.contentFiles.renewUpload", AdminPermissions.MobileAppsUpdate, Resource, "Action", AuditCategories.Application, "renewUpload");
    public static readonly AdminOperation Commit = AdminOperation.Change("mobileApps.contentFiles.commit", AdminPermissions.MobileAppsUpdate, Resource, "Action", AuditCategories.Application, "commit");
    public static readonly AdminOperation Reports = AdminOperation.Read("mobileApps.reports", AdminPermissions.MobileAppsRead);
    /// <summary>A device's inventory is device data: the managed-devices read permission, as Intune's roles have it.</summary>
    public static readonly AdminOperation DetectedApps = AdminOperation.Read("managedDevices.detectedApps", AdminPermissions.ManagedDevicesRead);
    public static readonly AdminOperation ListCategories = AdminOperation.Read("mobileAppCategories.list", AdminPermissions.MobileAppsRead);
}
