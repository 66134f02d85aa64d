using Intune.Grains.Policies;

namespace Intune.AdminGateway.Auth;

/// <summary>The permissions of one policy collection, so the REST and gRPC fronts demand the same ones.</summary>
public sealed record PolicyPermissions(string Read, string Create, string Update, string Delete, string Assign)
{
    public static readonly PolicyPermissions Compliance = new(
        AdminPermissions.CompliancePoliciesRead, AdminPermissions.CompliancePoliciesCreate, AdminPermissions.CompliancePoliciesUpdate,
        AdminPermissions.CompliancePoliciesDelete, AdminPermissions.CompliancePoliciesAssign);

    public static readonly PolicyPermissions Configuration = new(
        AdminPermissions.DeviceConfigurationsRead, AdminPermissions.DeviceConfigurationsCreate, AdminPermissions.DeviceConfigurationsUpdate,
        AdminPermissions.DeviceConfigurationsDelete, AdminPermissions.DeviceConfigurationsAssign);

    public static PolicyPermissions For(PolicyKind kind) => kind == PolicyKind.Compliance ? Compliance : Configuration;
}
