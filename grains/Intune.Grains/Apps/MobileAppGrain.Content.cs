using Intune.Grains.Durability;
using Intune.Grains.Errors;
using Microsoft.Extensions.Logging;

namespace Intune.Grains.Apps;

/// <summary>
/// Package upload as Graph does it (docs/apps.md): content versions hold files; a file gets a
/// time-limited SAS URL to the unit's blob storage; the client uploads blocks straight to storage;
/// commit verifies the blob against the file's encryption info. A file never committed is removed
/// with its blob once <see cref="AppContentLimits.UncommittedRetention"/> has passed.
/// </summary>
internal sealed partial class MobileAppGrain
{
    private ITimer? _sweepTimer;

    public async Task<AppContentVersion> CreateContentVersionAsync()
    {
        RequireLineOfBusiness();
        var version = new AppContentVersion((app.State.ContentVersions.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), []);
        app.State.ContentVersions.Add(version);
        await app.WriteOrRollBackAsync(GrainContext, () => app.State.ContentVersions.Remove(version));
        return version;
    }

    public Task<IReadOnlyList<AppContentVersion>> GetContentVersionsAsync()
    {
        RequireLineOfBusiness();
        return Task.FromResult<IReadOnlyList<AppContentVersion>>(app.State.ContentVersions);
    }

    public async Task<AppContentFile> CreateContentFileAsync(string contentVersionId, AppContentFileDraft draft)
    {
        var type = RequireLineOfBusiness();
        var version = Version(contentVersionId);
        if (string.IsNullOrWhiteSpace(draft.Name))
        {
            throw new InvalidRequestException("name is required (the package's file name).", "name");
        }

        if (!draft.Name.EndsWith(type.PackageExtension!, StringComparison.OrdinalIgnoreCase) && !draft.IsDependency)
        {
            throw new InvalidRequestException($"A {type.ODataType} package must be a {type.PackageExtension} file; got '{draft.Name}'.", "name");
        }

        if (draft.Size <= 0 || draft.SizeEncrypted <= 0)
        {
            throw new InvalidRequestException("size and sizeEncrypted must be positive byte counts.", draft.Size <= 0 ? "size" : "sizeEncrypted");
        }

        if (draft.SizeEncrypted > type.MaxPackageBytes)
        {
            throw new InvalidRequestException($"A {type.ODataType} package may be at most {type.MaxPackageBytes / (1024 * 1024 * 1024)} GiB; sizeEncrypted is {draft.SizeEncrypted} bytes.", "sizeEncrypted");
        }

        // The packaging tool's layout is fixed: MAC and IV ahead of ciphertext padded to whole blocks.
        var minimum = AppPackageVerifier.MacLength + AppPackageVerifier.IvLength + ((draft.Size / 16) + 1) * 16;
        if (draft.SizeEncrypted != minimum)
        {
            throw new InvalidRequestException($"sizeEncrypted must be {minimum} bytes for a {draft.Size}-byte file (HMAC ‖ IV ‖ AES-CBC ciphertext); got {draft.SizeEncrypted}.", "sizeEncrypted");
        }

        if (version.Files.Count >= AppContentLimits.MaxFilesPerVersion)
        {
            throw new InvalidRequestException($"A content version holds at most {AppContentLimits.MaxFilesPerVersion} files.", "files");
        }

        await content.EnsureContainerAsync();
        var now = time.GetUtcNow();
        var fileId = Guid.NewGuid().ToString();
        var blobName = AppContentBlobs.Name(TenantId, AppId, contentVersionId, fileId);
        var expires = now + AppContentLimits.UploadUriLifetime;
        var file = new AppContentFile
        {
            Id = fileId,
            Name = draft.Name,
            Size = draft.Size,
            SizeEncrypted = draft.SizeEncrypted,
            Manifest = draft.Manifest,
            IsDependency = draft.IsDependency,
            UploadState = AppUploadState.AzureStorageUriRequestSuccess,
            AzureStorageUri = content.UploadUri(blobName, expires).ToString(),
            AzureStorageUriExpirationDateTime = expires,
            CreatedDateTime = now,
            BlobName = blobName,
        };
        ReplaceVersion(version with { Files = version.Files.Append(file).ToList() }, out var previous);
        await app.WriteOrRollBackAsync(GrainContext, () => ReplaceVersion(previous, out _));
        ArmSweep();
        return file;
    }

    public async Task<AppContentFile> GetContentFileAsync(string contentVersionId, string fileId)
    {
        RequireLineOfBusiness();
        await SweepUploadsAsync();
        return File(contentVersionId, fileId);
    }

    public async Task<AppContentFile> RenewUploadAsync(string contentVersionId, string fileId)
    {
        RequireLineOfBusiness();
        await SweepUploadsAsync();
        var file = File(contentVersionId, fileId);
        if (file.IsCommitted || file.UploadState == AppUploadState.CommitFileFailed)
        {
            throw new ConflictException($"File '{fileId}' is {GraphName(file.UploadState)}; only a file being uploaded can renew its upload URI.");
        }

        var expires = time.GetUtcNow() + AppContentLimits.UploadUriLifetime;
        var renewed = file with
        {
            UploadState = AppUploadState.AzureStorageUriRenewalSuccess,
            AzureStorageUri = content.UploadUri(file.BlobName, expires).ToString(),
            AzureStorageUriExpirationDateTime = expires,
        };
        await SaveFileAsync(contentVersionId, renewed);
        return renewed;
    }

    public async Task<AppContentFile> CommitFileAsync(string contentVersionId, string fileId, FileEncryptionInfo encryptionInfo)
    {
        RequireLineOfBusiness();
        await SweepUploadsAsync();
        var file = File(contentVersionId, fileId);
        if (file.IsCommitted)
        {
            throw new ConflictException($"File '{fileId}' is already committed; upload a new file to replace it.");
        }

        if (file.UploadState == AppUploadState.CommitFileFailed)
        {
            throw new ConflictException($"File '{fileId}' failed its commit ({file.CommitFailureReason}); its upload was removed, so declare a new file.");
        }

        if (time.GetUtcNow() > file.AzureStorageUriExpirationDateTime)
        {
            throw new ConflictException($"The upload URI of file '{fileId}' expired at {file.AzureStorageUriExpirationDateTime:O}; call renewUpload, upload again if needed, then commit.");
        }

        if (AppPackageVerifier.CheckInfo(encryptionInfo) is { } malformed)
        {
            throw new InvalidRequestException($"fileEncryptionInfo: {malformed}", "fileEncryptionInfo");
        }

        var length = await content.LengthAsync(file.BlobName);
        if (length is null)
        {
            throw new ConflictException($"Nothing was uploaded for file '{fileId}' (no committed block list at its azureStorageUri); upload the package, then commit.");
        }

        var reason = length != file.SizeEncrypted
            ? $"the uploaded file is {length} bytes; sizeEncrypted is {file.SizeEncrypted}."
            : await VerifyAsync(file, encryptionInfo);
        if (reason is not null)
        {
            // The failed upload goes now: nothing of a package that failed verification stays in storage.
            await content.DeleteAsync(file.BlobName);
            var failed = file with { UploadState = AppUploadState.CommitFileFailed, CommitFailureReason = reason, AzureStorageUri = null };
            await SaveFileAsync(contentVersionId, failed);
            logger.LogInformation("App {AppId}: commit of file {FileId} failed: {Reason}", AppId, fileId, reason);
            throw new InvalidRequestException($"commitFileFailed: {reason}", "fileEncryptionInfo");
        }

        var committed = file with
        {
            UploadState = AppUploadState.CommitFileSuccess,
            IsCommitted = true,
            EncryptionInfo = encryptionInfo,
            AzureStorageUri = null,
        };
        await SaveFileAsync(contentVersionId, committed);
        return committed;
    }

    public async Task SweepUploadsAsync()
    {
        var cutoff = time.GetUtcNow() - AppContentLimits.UncommittedRetention;
        var expired = app.State.ContentVersions
            .SelectMany(v => v.Files.Where(f => !f.IsCommitted && f.CreatedDateTime <= cutoff).Select(f => (Version: v.Id, File: f)))
            .ToList();
        if (expired.Count == 0)
        {
            return;
        }

        // Blobs first: a crash in between leaves a file entry whose blob is gone, swept again next time.
        foreach (var (_, file) in expired)
        {
            await content.DeleteAsync(file.BlobName);
        }

        var before = app.State.ContentVersions;
        var gone = expired.Select(e => e.File.Id).ToHashSet(StringComparer.Ordinal);
        app.State.ContentVersions = before.Select(v => v with { Files = v.Files.Where(f => !gone.Contains(f.Id)).ToList() }).ToList();
        await app.WriteOrRollBackAsync(GrainContext, () => app.State.ContentVersions = before);
        logger.LogInformation("App {AppId}: removed {Count} upload(s) never committed", AppId, expired.Count);
        ArmSweep();
    }

    /// <summary>
    /// A TimeProvider timer for the oldest pending upload's retention, so tests move the clock
    /// instead of waiting; every call that reads a file sweeps too, which covers a deactivated grain
    /// once anyone looks at the app again.
    /// </summary>
    private void ArmSweep()
    {
        _sweepTimer?.Dispose();
        _sweepTimer = null;
        var oldest = app.State.ContentVersions.SelectMany(v => v.Files).Where(f => !f.IsCommitted).Select(f => (DateTimeOffset?)f.CreatedDateTime).Min();
        if (oldest is not { } created)
        {
            return;
        }

        var due = created + AppContentLimits.UncommittedRetention - time.GetUtcNow();
        var self = this.AsReference<IMobileAppGrain>();
        _sweepTimer = time.CreateTimer(_ => self.SweepUploadsAsync().Ignore(), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    private async Task<string?> VerifyAsync(AppContentFile file, FileEncryptionInfo info)
    {
        await using var blob = await content.OpenReadAsync(file.BlobName);
        return await AppPackageVerifier.VerifyAsync(blob, file.Size, info);
    }

    private async Task SaveFileAsync(string contentVersionId, AppContentFile file)
    {
        var version = Version(contentVersionId);
        ReplaceVersion(version with { Files = version.Files.Select(f => f.Id == file.Id ? file : f).ToList() }, out var previous);
        await app.WriteOrRollBackAsync(GrainContext, () => ReplaceVersion(previous, out _));
    }

    private void ReplaceVersion(AppContentVersion version, out AppContentVersion previous)
    {
        var index = app.State.ContentVersions.FindIndex(v => v.Id == version.Id);
        previous = app.State.ContentVersions[index];
        app.State.ContentVersions[index] = version;
    }

    private MobileAppType RequireLineOfBusiness()
    {
        var type = Type;
        return type.IsLineOfBusiness
            ? type
            : throw new InvalidRequestException($"A {type.ODataType} has no content versions: only line-of-business apps carry a package.");
    }

    private AppContentVersion Version(string contentVersionId) =>
        app.State.ContentVersions.FirstOrDefault(v => v.Id == contentVersionId)
        ?? throw new NotFoundException($"No content version '{contentVersionId}' exists for mobileApp '{AppId}'.");

    private AppContentFile File(string contentVersionId, string fileId) =>
        Version(contentVersionId).Files.FirstOrDefault(f => f.Id == fileId)
        ?? throw new NotFoundException($"No file '{fileId}' exists in content version '{contentVersionId}'.");

    internal static string GraphName(AppUploadState state) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(state.ToString());
}

/// <summary>Limits of package upload (docs/apps.md).</summary>
public static class AppContentLimits
{
    /// <summary>How long an upload URI works; renewUpload issues a new one.</summary>
    public static readonly TimeSpan UploadUriLifetime = TimeSpan.FromMinutes(15);

    /// <summary>How long a declared file may stay uncommitted before it and its blob are removed.</summary>
    public static readonly TimeSpan UncommittedRetention = TimeSpan.FromDays(1);

    /// <summary>How long a device's download URL works.</summary>
    public static readonly TimeSpan DownloadUriLifetime = TimeSpan.FromHours(1);

    public const int MaxFilesPerVersion = 20;
}
