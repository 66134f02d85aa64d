using System.ComponentModel.DataAnnotations;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Resources.AdminObjects;

namespace Intune.AdminGateway.Resources.NotificationMessageTemplates;

/// <summary>
/// <c>deviceManagement/notificationMessageTemplates</c> and their
/// <c>localizedNotificationMessages</c>: the e-mails the compliance <c>notification</c> action sends
/// (a scheduled action names one by <c>notificationTemplateId</c>). Intune files them under the
/// compliance policy permissions.
/// </summary>
public static class NotificationMessageTemplates
{
    public static readonly AdminObjectKind Templates = new(
        "deviceManagement/notificationMessageTemplates",
        "#microsoft.graph.notificationMessageTemplate",
        typeof(TemplateBody),
        "NotificationMessageTemplate",
        AdminObjectOperations.For("notificationMessageTemplates", "NotificationMessageTemplate", AuditCategories.Compliance, AdminPermissions.CompliancePoliciesRead, AdminPermissions.CompliancePoliciesCreate, AdminPermissions.CompliancePoliciesUpdate, AdminPermissions.CompliancePoliciesDelete),
        Required: ["displayName"],
        WritesDates: false);

    public static readonly AdminObjectKind LocalizedMessages = new(
        "deviceManagement/notificationMessageTemplates/localizedNotificationMessages",
        "#microsoft.graph.localizedNotificationMessage",
        typeof(LocalizedMessageBody),
        "LocalizedNotificationMessage",
        AdminObjectOperations.For("localizedNotificationMessages", "LocalizedNotificationMessage", AuditCategories.Compliance, AdminPermissions.CompliancePoliciesRead, AdminPermissions.CompliancePoliciesUpdate, AdminPermissions.CompliancePoliciesUpdate, AdminPermissions.CompliancePoliciesUpdate),
        Required: ["locale", "subject", "messageTemplate"],
        Parent: Templates);

    public sealed class TemplateBody
    {
        /// <summary>Read-only; restore tools send back what they read. Ignored.</summary>
        public string? Id { get; set; }

        public DateTimeOffset? LastModifiedDateTime { get; set; }

        [StringLength(256, ErrorMessage = "displayName is at most 256 characters.")]
        public string? DisplayName { get; set; }

        [RegularExpression("^[a-z]{2}-[a-z]{2}$", ErrorMessage = "defaultLocale is a lower-case locale such as 'en-us'.")]
        public string? DefaultLocale { get; set; }

        /// <summary>Graph's flags enum, comma-separated: none, includeCompanyLogo, includeCompanyName, includeContactInformation, includeCompanyPortalLink, includeDeviceDetails.</summary>
        [RegularExpression("^(none|includeCompanyLogo|includeCompanyName|includeContactInformation|includeCompanyPortalLink|includeDeviceDetails)(,(none|includeCompanyLogo|includeCompanyName|includeContactInformation|includeCompanyPortalLink|includeDeviceDetails))*$", ErrorMessage = "brandingOptions is a comma-separated list of none, includeCompanyLogo, includeCompanyName, includeContactInformation, includeCompanyPortalLink, includeDeviceDetails.")]
        public string? BrandingOptions { get; set; }
    }

    public sealed class LocalizedMessageBody
    {
        /// <summary>Read-only; restore tools send back what they read. Ignored.</summary>
        public string? Id { get; set; }

        public DateTimeOffset? LastModifiedDateTime { get; set; }

        [RegularExpression("^[a-z]{2}-[a-z]{2}$", ErrorMessage = "locale is a lower-case locale such as 'en-us'.")]
        public string? Locale { get; set; }

        [StringLength(256, ErrorMessage = "subject is at most 256 characters.")]
        public string? Subject { get; set; }

        [StringLength(10_000, ErrorMessage = "messageTemplate is at most 10,000 characters.")]
        public string? MessageTemplate { get; set; }

        public bool? IsDefault { get; set; }
    }
}
