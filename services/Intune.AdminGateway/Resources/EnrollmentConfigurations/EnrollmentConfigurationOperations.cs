using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Operations;

namespace Intune.AdminGateway.Resources.EnrollmentConfigurations;

/// <summary>The enrollment-restriction operations: their permissions and audit activities, for REST and gRPC.</summary>
public static class EnrollmentConfigurationOperations
{
    private const string Resource = "DeviceEnrollmentConfiguration";

    public static readonly AdminOperation List = AdminOperation.Read("deviceEnrollmentConfigurations.list", AdminPermissions.EnrollmentRead);
    public static readonly AdminOperation Get = AdminOperation.Read("deviceEnrollmentConfigurations.get", AdminPermissions.EnrollmentRead);
    public static readonly AdminOperation Create = AdminOperation.Change("deviceEnrollmentConfigurations.create", AdminPermissions.EnrollmentWrite, Resource, "Create", AuditCategories.Enrollment);
    public static readonly AdminOperation Update = AdminOperation.Change("deviceEnrollmentConfigurations.update", AdminPermissions.EnrollmentWrite, Resource, "Patch", AuditCategories.Enrollment);
    public static readonly AdminOperation Delete = AdminOperation.Change("deviceEnrollmentConfigurations.delete", AdminPermissions.EnrollmentWrite, Resource, "Delete", AuditCategories.Enrollment);
    public static readonly AdminOperation Assign = AdminOperation.Change("deviceEnrollmentConfigurations.assign", AdminPermissions.EnrollmentWrite, Resource, "Action", AuditCategories.Enrollment, "assign");
    public static readonly AdminOperation SetPriority = AdminOperation.Change("deviceEnrollmentConfigurations.setPriority", AdminPermissions.EnrollmentWrite, Resource, "Action", AuditCategories.Enrollment, "setPriority");
}
