using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Operations;

namespace Intune.AdminGateway.Resources.TenantSettings;

/// <summary>The tenant's compliance settings: read and change, with their permissions and audit activity.</summary>
public static class TenantSettingsOperations
{
    public static readonly AdminOperation Get = AdminOperation.Read("deviceManagement.get", AdminPermissions.OrganizationRead);
    public static readonly AdminOperation Update = AdminOperation.Change("deviceManagement.update", AdminPermissions.OrganizationUpdate, "DeviceManagement", "Patch", AuditCategories.Other);
}
