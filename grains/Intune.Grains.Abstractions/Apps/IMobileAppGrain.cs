using Intune.Grains.Errors;
using Intune.Grains.Policies;
using Orleans.Concurrency;

namespace Intune.Grains.Apps;

/// <summary>The committed package of a line-of-business app, as a device is told to fetch and verify it.</summary>
[GenerateSerializer, Immutable, Alias("intune.AppPackage")]
public sealed record AppPackage(
    [property: Id(0)] string ContentVersion,
    [property: Id(1)] string FileId,
    [property: Id(2)] string BlobName,
    [property: Id(3)] long Size,
    [property: Id(4)] long SizeEncrypted,
    [property: Id(5)] FileEncryptionInfo EncryptionInfo);

/// <summary>
/// What devices need of one app to work out and carry out its intent (a delivery body, cached per
/// silo by version like a policy body): the assignments with their intents, the store identifier or
/// committed package, and the detection rules.
/// </summary>
[GenerateSerializer, Immutable, Alias("intune.MobileAppDelivery")]
public sealed record MobileAppDelivery(
    [property: Id(0)] string AppId,
    [property: Id(1)] int Version,
    [property: Id(2)] string ODataType,
    [property: Id(3)] string DisplayName,
    [property: Id(4)] IReadOnlyList<MobileAppAssignment> Assignments,
    [property: Id(5)] string? StoreIdentifier,
    [property: Id(6)] AppPackage? Package,
    [property: Id(7)] string? DetectionRulesJson);

/// <summary>
/// One app of a tenant, keyed <c>tenantId/appId</c>: its definition, content versions with their
/// uploaded files (packages in the unit's blob storage), assignments with intents, and install
/// status. A deliverable of kind <see cref="PolicyKind.MobileApp"/>: assigning writes the app and the
/// tenant's assignment record, never a device.
/// </summary>
[Alias("intune.IMobileAppGrain")]
public interface IMobileAppGrain : IGrainWithStringKey
{
    /// <summary>Creates the app; <see cref="InvalidRequestException"/> when the draft breaks its type's rules.</summary>
    [Alias("CreateAsync")]
    Task<MobileAppDefinition> CreateAsync(MobileAppDefinition draft);

    /// <summary>Applies a change; setting the committed content version needs that version's files all committed.</summary>
    [Alias("UpdateAsync")]
    Task<MobileAppDefinition> UpdateAsync(MobileAppUpdate update);

    /// <summary>The app, or null when it does not exist.</summary>
    [Alias("GetAsync")]
    Task<MobileAppDefinition?> GetAsync();

    /// <summary>Out of the tenant's catalog first (devices drop it), then its packages' blobs, then its state.</summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync();

    [Alias("SetCategoriesAsync")]
    Task<MobileAppDefinition> SetCategoriesAsync(IReadOnlyList<string> categoryIds);

    /// <summary>A new, empty content version (line-of-business apps only).</summary>
    [Alias("CreateContentVersionAsync")]
    Task<AppContentVersion> CreateContentVersionAsync();

    [Alias("GetContentVersionsAsync")]
    Task<IReadOnlyList<AppContentVersion>> GetContentVersionsAsync();

    /// <summary>Declares a file and returns it with a time-limited upload URL to the unit's blob storage.</summary>
    [Alias("CreateContentFileAsync")]
    Task<AppContentFile> CreateContentFileAsync(string contentVersionId, AppContentFileDraft draft);

    /// <summary>The file, or <see cref="NotFoundException"/>; uploads past their retention are removed first.</summary>
    [Alias("GetContentFileAsync")]
    Task<AppContentFile> GetContentFileAsync(string contentVersionId, string fileId);

    /// <summary>A fresh upload URL for a file not yet committed.</summary>
    [Alias("RenewUploadAsync")]
    Task<AppContentFile> RenewUploadAsync(string contentVersionId, string fileId);

    /// <summary>
    /// Verifies the uploaded blob against the encryption info (size, MAC, digest of the decrypted
    /// content). Success: commitFileSuccess. A mismatch: commitFileFailed with the reason, the blob
    /// deleted, and <see cref="InvalidRequestException"/> naming the reason.
    /// </summary>
    [Alias("CommitFileAsync"), ResponseTimeout("00:05:00")]
    Task<AppContentFile> CommitFileAsync(string contentVersionId, string fileId, FileEncryptionInfo encryptionInfo);

    /// <summary>Removes files never committed within the retention time, with their blobs.</summary>
    [Alias("SweepUploadsAsync")]
    Task SweepUploadsAsync();

    /// <summary>Replaces every assignment: O(1) storage requests; devices work out their intent at check-in.</summary>
    [Alias("AssignAsync")]
    Task<IReadOnlyList<MobileAppAssignment>> AssignAsync(IReadOnlyList<MobileAppAssignment> assignments);

    [Alias("GetAssignmentsAsync")]
    Task<IReadOnlyList<MobileAppAssignment>> GetAssignmentsAsync();

    /// <summary>A device's install state transition, from its check-in. Interleaves: a counter change, written in batches.</summary>
    [AlwaysInterleave, Alias("ReportInstallAsync")]
    Task ReportInstallAsync(AppInstallStatus status);

    [AlwaysInterleave, Alias("GetInstallStatusesAsync")]
    Task<IReadOnlyList<AppInstallStatus>> GetInstallStatusesAsync();

    [AlwaysInterleave, Alias("GetInstallSummaryAsync")]
    Task<AppInstallSummary> GetInstallSummaryAsync();

    /// <summary>The delivery body at the current version (read by the silos' delivery caches).</summary>
    [Alias("GetDeliveryAsync")]
    Task<MobileAppDelivery?> GetDeliveryAsync();
}
