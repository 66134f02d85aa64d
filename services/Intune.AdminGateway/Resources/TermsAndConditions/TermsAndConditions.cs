using System.ComponentModel.DataAnnotations;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Resources.AdminObjects;

namespace Intune.AdminGateway.Resources.TermsAndConditions;

/// <summary><c>deviceManagement/termsAndConditions</c>: the terms users accept at enrollment, with Graph's computed dates.</summary>
public static class TermsAndConditions
{
    public static readonly AdminObjectKind Kind = new(
        "deviceManagement/termsAndConditions",
        "#microsoft.graph.termsAndConditions",
        typeof(TermsAndConditionsBody),
        "TermsAndConditions",
        AdminObjectOperations.For("termsAndConditions", "TermsAndConditions", AuditCategories.Enrollment, AdminPermissions.TermsAndConditionsRead, AdminPermissions.TermsAndConditionsCreate, AdminPermissions.TermsAndConditionsUpdate, AdminPermissions.TermsAndConditionsDelete),
        Required: ["displayName", "title", "bodyText", "acceptanceStatement"],
        WritesDates: true);

    public sealed class TermsAndConditionsBody
    {
        /// <summary>Read-only; restore tools send back what they read. Ignored, as are the dates.</summary>
        public string? Id { get; set; }

        public DateTimeOffset? CreatedDateTime { get; set; }

        public DateTimeOffset? LastModifiedDateTime { get; set; }

        [StringLength(256, ErrorMessage = "displayName is at most 256 characters.")]
        public string? DisplayName { get; set; }

        [StringLength(1024, ErrorMessage = "description is at most 1024 characters.")]
        public string? Description { get; set; }

        [StringLength(256, ErrorMessage = "title is at most 256 characters.")]
        public string? Title { get; set; }

        [StringLength(60_000, ErrorMessage = "bodyText is at most 60,000 characters.")]
        public string? BodyText { get; set; }

        [StringLength(1024, ErrorMessage = "acceptanceStatement is at most 1024 characters.")]
        public string? AcceptanceStatement { get; set; }

        [Range(0, int.MaxValue, ErrorMessage = "version must not be negative.")]
        public int? Version { get; set; }
    }
}
