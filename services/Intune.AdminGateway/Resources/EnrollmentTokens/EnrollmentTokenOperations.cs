using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Operations;

namespace Intune.AdminGateway.Resources.EnrollmentTokens;

/// <summary>The enrollment-token operations: their permissions and audit activities.</summary>
public static class EnrollmentTokenOperations
{
    public static readonly AdminOperation List = AdminOperation.Read("enrollmentTokens.list", AdminPermissions.EnrollmentRead);
    public static readonly AdminOperation Create = AdminOperation.Change("enrollmentTokens.create", AdminPermissions.EnrollmentWrite, "EnrollmentToken", "Create", AuditCategories.Enrollment);
    public static readonly AdminOperation Revoke = AdminOperation.Change("enrollmentTokens.revoke", AdminPermissions.EnrollmentWrite, "EnrollmentToken", "Action", AuditCategories.Enrollment, "Revoke");
}
