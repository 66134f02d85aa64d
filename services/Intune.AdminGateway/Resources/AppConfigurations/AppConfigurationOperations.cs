using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Operations;

namespace Intune.AdminGateway.Resources.AppConfigurations;

/// <summary>
/// The operations of <c>/deviceAppManagement/mobileAppConfigurations</c>: Intune files app
/// configuration under the MobileApps resource operations (the Application Manager role's).
/// </summary>
public static class AppConfigurationOperations
{
    private const string Resource = "ManagedDeviceMobileAppConfiguration";

    public static readonly AdminOperation List = AdminOperation.Read("mobileAppConfigurations.list", AdminPermissions.MobileAppsRead);
    public static readonly AdminOperation Get = AdminOperation.Read("mobileAppConfigurations.get", AdminPermissions.MobileAppsRead);
    public static readonly AdminOperation Create = AdminOperation.Change("mobileAppConfigurations.create", AdminPermissions.MobileAppsCreate, Resource, "Create", AuditCategories.Application);
    public static readonly AdminOperation Update = AdminOperation.Change("mobileAppConfigurations.update", AdminPermissions.MobileAppsUpdate, Resource, "Patch", AuditCategories.Application);
    public static readonly AdminOperation Delete = AdminOperation.Change("mobileAppConfigurations.delete", AdminPermissions.MobileAppsDelete, Resource, "Delete", AuditCategories.Application);
    public static readonly AdminOperation Assign = AdminOperation.Change("mobileAppConfigurations.assign", AdminPermissions.MobileAppsAssign, Resource, "Action", AuditCategories.Application, "assign");
}
