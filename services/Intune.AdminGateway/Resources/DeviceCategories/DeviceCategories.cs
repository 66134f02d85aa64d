using System.ComponentModel.DataAnnotations;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Resources.AdminObjects;

namespace Intune.AdminGateway.Resources.DeviceCategories;

/// <summary>
/// <c>deviceManagement/deviceCategories</c>: the categories users pick at enrollment (Intune files
/// them under the Organization permissions).
/// </summary>
public static class DeviceCategories
{
    public static readonly AdminObjectKind Kind = new(
        "deviceManagement/deviceCategories",
        "#microsoft.graph.deviceCategory",
        typeof(DeviceCategoryBody),
        "DeviceCategory",
        AdminObjectOperations.For("deviceCategories", "DeviceCategory", AuditCategories.Other, AdminPermissions.OrganizationRead, AdminPermissions.OrganizationUpdate, AdminPermissions.OrganizationUpdate, AdminPermissions.OrganizationUpdate),
        Required: ["displayName"]);

    public sealed class DeviceCategoryBody
    {
        /// <summary>Read-only; restore tools send back what they read. Ignored.</summary>
        public string? Id { get; set; }

        [StringLength(256, ErrorMessage = "displayName is at most 256 characters.")]
        public string? DisplayName { get; set; }

        [StringLength(1024, ErrorMessage = "description is at most 1024 characters.")]
        public string? Description { get; set; }
    }
}
