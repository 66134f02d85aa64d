using Intune.Grains.Policies;

namespace Intune.Grains.Apps;

/// <summary>
/// One app of the tenant's catalog (Graph <c>mobileApp</c> and its subtypes). The common Graph
/// properties are typed; the properties of the app's type are kept by Graph name with their JSON
/// text, validated against <see cref="MobileAppTypes"/> by the gateway and the grain alike.
/// </summary>
[GenerateSerializer, Immutable, Alias("intune.MobileAppDefinition")]
public sealed record MobileAppDefinition
{
    [Id(0)] public required string Id { get; init; }
    /// <summary>The Graph type name without the namespace, e.g. <c>win32LobApp</c>.</summary>
    [Id(1)] public required string ODataType { get; init; }
    [Id(2)] public required string DisplayName { get; init; }
    [Id(3)] public string? Publisher { get; init; }
    /// <summary>Moves with every change a device could see (definition, committed content, assignments).</summary>
    [Id(4)] public int Version { get; init; }
    [Id(5)] public DateTimeOffset CreatedDateTime { get; init; }
    [Id(6)] public DateTimeOffset LastModifiedDateTime { get; init; }
    /// <summary>Every other property by Graph name, as JSON text (common ones such as description and the type's own).</summary>
    [Id(7)] public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
    /// <summary>The content version devices install (line-of-business apps), set by PATCH once a version's files are committed.</summary>
    [Id(8)] public string? CommittedContentVersion { get; init; }
    [Id(9)] public IReadOnlyList<string> CategoryIds { get; init; } = [];
}

/// <summary>A change to an app: non-null members are applied; a null property value clears it.</summary>
[GenerateSerializer, Immutable, Alias("intune.MobileAppUpdate")]
public sealed record MobileAppUpdate
{
    [Id(0)] public string? DisplayName { get; init; }
    [Id(1)] public string? Publisher { get; init; }
    [Id(2)] public IReadOnlyDictionary<string, string?> Properties { get; init; } = new Dictionary<string, string?>();
    [Id(3)] public string? CommittedContentVersion { get; init; }
}

/// <summary>Graph <c>mobileAppContentFileUploadState</c>.</summary>
[GenerateSerializer, Alias("intune.AppUploadState")]
public enum AppUploadState
{
    AzureStorageUriRequestSuccess = 0,
    AzureStorageUriRequestPending = 1,
    AzureStorageUriRequestFailed = 2,
    AzureStorageUriRequestTimedOut = 3,
    AzureStorageUriRenewalSuccess = 100,
    AzureStorageUriRenewalPending = 101,
    AzureStorageUriRenewalFailed = 102,
    AzureStorageUriRenewalTimedOut = 103,
    CommitFileSuccess = 200,
    CommitFilePending = 201,
    CommitFileFailed = 202,
    CommitFileTimedOut = 203,
}

/// <summary>Graph <c>fileEncryptionInfo</c>: what the packaging tool used, all byte values as they were base64-decoded.</summary>
[GenerateSerializer, Immutable, Alias("intune.FileEncryptionInfo")]
public sealed record FileEncryptionInfo(
    [property: Id(0)] byte[] EncryptionKey,
    [property: Id(1)] byte[] InitializationVector,
    [property: Id(2)] byte[] Mac,
    [property: Id(3)] byte[] MacKey,
    [property: Id(4)] string ProfileIdentifier,
    [property: Id(5)] byte[] FileDigest,
    [property: Id(6)] string FileDigestAlgorithm);

/// <summary>A file a client declares for a content version (Graph <c>mobileAppContentFile</c> POST).</summary>
[GenerateSerializer, Immutable, Alias("intune.AppContentFileDraft")]
public sealed record AppContentFileDraft(
    [property: Id(0)] string Name,
    [property: Id(1)] long Size,
    [property: Id(2)] long SizeEncrypted,
    [property: Id(3)] byte[]? Manifest,
    [property: Id(4)] bool IsDependency);

/// <summary>Graph <c>mobileAppContentFile</c> as the service holds it.</summary>
[GenerateSerializer, Immutable, Alias("intune.AppContentFile")]
public sealed record AppContentFile
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public long Size { get; init; }
    [Id(3)] public long SizeEncrypted { get; init; }
    [Id(4)] public byte[]? Manifest { get; init; }
    [Id(5)] public bool IsDependency { get; init; }
    [Id(6)] public AppUploadState UploadState { get; init; }
    /// <summary>The time-limited upload URL (Graph <c>azureStorageUri</c>); null once committed or failed.</summary>
    [Id(7)] public string? AzureStorageUri { get; init; }
    [Id(8)] public DateTimeOffset? AzureStorageUriExpirationDateTime { get; init; }
    [Id(9)] public DateTimeOffset CreatedDateTime { get; init; }
    [Id(10)] public bool IsCommitted { get; init; }
    /// <summary>Why a commit failed (commitFileFailed), for the admin.</summary>
    [Id(11)] public string? CommitFailureReason { get; init; }
    /// <summary>Kept after a successful commit: the device needs it to verify and decrypt the package.</summary>
    [Id(12)] public FileEncryptionInfo? EncryptionInfo { get; init; }
    /// <summary>The blob's name in the unit's app-content container.</summary>
    [Id(13)] public required string BlobName { get; init; }
}

/// <summary>Graph <c>mobileAppContent</c>: one content version of a line-of-business app and its files.</summary>
[GenerateSerializer, Immutable, Alias("intune.AppContentVersion")]
public sealed record AppContentVersion(
    [property: Id(0)] string Id,
    [property: Id(1)] IReadOnlyList<AppContentFile> Files);

/// <summary>Graph <c>installIntent</c>.</summary>
[GenerateSerializer, Alias("intune.AppInstallIntent")]
public enum AppInstallIntent
{
    Available = 0,
    Required = 1,
    Uninstall = 2,
    AvailableWithoutEnrollment = 3,
}

/// <summary>Graph <c>mobileAppAssignment</c>: an intent for a target, with the type's settings as JSON text.</summary>
[GenerateSerializer, Immutable, Alias("intune.MobileAppAssignment")]
public sealed record MobileAppAssignment(
    [property: Id(0)] string Id,
    [property: Id(1)] AppInstallIntent Intent,
    [property: Id(2)] AssignmentTarget Target,
    [property: Id(3)] string? SettingsJson);

/// <summary>The install state a device reports for an app (Graph <c>resultantAppState</c> subset).</summary>
[GenerateSerializer, Alias("intune.AppInstallState")]
public enum AppInstallState
{
    Unknown = 0,
    Installed = 1,
    Failed = 2,
    NotInstalled = 3,
    UninstallFailed = 4,
    PendingInstall = 5,
    NotApplicable = 6,
}

/// <summary>What a device is told to do with one app (docs/apps.md, "Delivery").</summary>
[GenerateSerializer, Alias("intune.AppAction")]
public enum AppAction
{
    /// <summary>Offered in the Company Portal; installed when the user asks.</summary>
    Available = 0,
    Install = 1,
    Uninstall = 2,

    /// <summary>Required and uninstall both reach the device: neither is carried out until an admin resolves it.</summary>
    Conflict = 3,
}

/// <summary>One app instruction in a check-in answer: a store identifier, or a package to download and verify.</summary>
[GenerateSerializer, Immutable, Alias("intune.AppInstruction")]
public sealed record AppInstruction
{
    [Id(0)] public required string AppId { get; init; }
    [Id(1)] public required string DisplayName { get; init; }
    [Id(2)] public required string ODataType { get; init; }
    [Id(3)] public AppAction Action { get; init; }
    [Id(4)] public int Version { get; init; }
    [Id(5)] public string? StoreIdentifier { get; init; }
    /// <summary>A read-only SAS URL of the package, valid until <see cref="DownloadUrlExpiresOn"/>.</summary>
    [Id(6)] public string? DownloadUrl { get; init; }
    [Id(7)] public DateTimeOffset? DownloadUrlExpiresOn { get; init; }
    [Id(8)] public long Size { get; init; }
    [Id(9)] public long SizeEncrypted { get; init; }
    /// <summary>The keys to check the package's MAC and decrypt it, and the digest of its content.</summary>
    [Id(10)] public FileEncryptionInfo? EncryptionInfo { get; init; }
    [Id(11)] public string? DetectionRulesJson { get; init; }
    /// <summary>The app configuration delivered with the app (docs/apps.md §7), tokens substituted for this device.</summary>
    [Id(12)] public string? ConfigurationId { get; init; }
    [Id(13)] public string? Configuration { get; init; }
}

/// <summary>A device's install state for one app, as it reports it at check-in.</summary>
[GenerateSerializer, Immutable, Alias("intune.AppInstallReport")]
public sealed record AppInstallReport(
    [property: Id(0)] string AppId,
    [property: Id(1)] AppInstallState State,
    [property: Id(2)] int ErrorCode);

/// <summary>A device's install state pushed to the app's report on every transition (null state: no longer reached).</summary>
[GenerateSerializer, Immutable, Alias("intune.AppInstallStatus")]
public sealed record AppInstallStatus(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] string? DeviceName,
    [property: Id(2)] string? UserPrincipalName,
    [property: Id(3)] AppInstallState? State,
    [property: Id(4)] int ErrorCode,
    [property: Id(5)] DateTimeOffset LastReportedDateTime);

/// <summary>Graph <c>mobileAppInstallSummary</c>-style counters of one app.</summary>
[GenerateSerializer, Immutable, Alias("intune.AppInstallSummary")]
public sealed record AppInstallSummary(
    [property: Id(0)] int InstalledDeviceCount,
    [property: Id(1)] int FailedDeviceCount,
    [property: Id(2)] int PendingInstallDeviceCount,
    [property: Id(3)] int NotInstalledDeviceCount,
    [property: Id(4)] int NotApplicableDeviceCount,
    [property: Id(5)] int InstalledUserCount,
    [property: Id(6)] int FailedUserCount,
    [property: Id(7)] int PendingInstallUserCount,
    [property: Id(8)] int NotInstalledUserCount,
    [property: Id(9)] int NotApplicableUserCount);

/// <summary>An app found on a device by its inventory (Graph <c>detectedApp</c>, one device's view).</summary>
[GenerateSerializer, Immutable, Alias("intune.DetectedApp")]
public sealed record DetectedApp(
    [property: Id(0)] string DisplayName,
    [property: Id(1)] string? Version,
    [property: Id(2)] long SizeInByte,
    [property: Id(3)] string? Publisher);

/// <summary>
/// The app side of a device (implemented by the Device grain, keyed <c>tenantId/deviceId</c>):
/// what its inventory last reported.
/// </summary>
[Alias("intune.IDeviceAppsGrain")]
public interface IDeviceAppsGrain : IGrainWithStringKey
{
    /// <summary>The apps the device's inventory last reported; null when no such device is enrolled.</summary>
    [Alias("GetDetectedAppsAsync")]
    Task<IReadOnlyList<DetectedApp>?> GetDetectedAppsAsync();
}
