using System.Security.Cryptography;

namespace Intune.Grains.Apps;

/// <summary>
/// Checks an uploaded package the way a packaging tool (.intunewin) lays it out: HMAC-SHA256 (32
/// bytes) ‖ IV (16 bytes) ‖ AES-256-CBC ciphertext (PKCS7). The HMAC is over IV ‖ ciphertext under
/// <c>macKey</c>; the SHA-256 of the decrypted content must equal <c>fileDigest</c>. Reads the
/// blob once, streaming, so a 30 GB package needs no more memory than a small one. Pure apart from
/// the stream it is given: tested without storage.
/// </summary>
public static class AppPackageVerifier
{
    public const int MacLength = 32;
    public const int IvLength = 16;
    public const int KeyLength = 32;
    public const string Profile = "ProfileVersion1";
    public const string DigestAlgorithm = "SHA256";

    /// <summary>The reason the encryption info itself cannot be right, before any byte is read; null when it is well formed.</summary>
    public static string? CheckInfo(FileEncryptionInfo info)
    {
        if (info.EncryptionKey.Length != KeyLength)
        {
            return $"encryptionKey must be {KeyLength} bytes (AES-256); got {info.EncryptionKey.Length}.";
        }

        if (info.MacKey.Length == 0)
        {
            return "macKey is required.";
        }

        if (info.InitializationVector.Length != IvLength)
        {
            return $"initializationVector must be {IvLength} bytes; got {info.InitializationVector.Length}.";
        }

        if (info.Mac.Length != MacLength)
        {
            return $"mac must be {MacLength} bytes (HMAC-SHA256); got {info.Mac.Length}.";
        }

        if (!string.Equals(info.FileDigestAlgorithm, DigestAlgorithm, StringComparison.OrdinalIgnoreCase))
        {
            return $"fileDigestAlgorithm must be {DigestAlgorithm}; got '{info.FileDigestAlgorithm}'.";
        }

        if (info.FileDigest.Length != SHA256.HashSizeInBytes)
        {
            return $"fileDigest must be a SHA-256 ({SHA256.HashSizeInBytes} bytes); got {info.FileDigest.Length} bytes.";
        }

        return !string.Equals(info.ProfileIdentifier, Profile, StringComparison.Ordinal)
            ? $"profileIdentifier must be {Profile}; got '{info.ProfileIdentifier}'."
            : null;
    }

    /// <summary>Null when <paramref name="blob"/> is the package described; otherwise why not.</summary>
    public static async Task<string?> VerifyAsync(Stream blob, long expectedSize, FileEncryptionInfo info, CancellationToken cancellationToken = default)
    {
        if (CheckInfo(info) is { } bad)
        {
            return bad;
        }

        var header = new byte[MacLength + IvLength];
        if (await blob.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken) < header.Length)
        {
            return "the uploaded file is shorter than its MAC and IV header.";
        }

        if (!CryptographicOperations.FixedTimeEquals(header.AsSpan(0, MacLength), info.Mac))
        {
            return "the MAC in the uploaded file differs from fileEncryptionInfo.mac.";
        }

        if (!header.AsSpan(MacLength).SequenceEqual(info.InitializationVector))
        {
            return "the IV in the uploaded file differs from fileEncryptionInfo.initializationVector.";
        }

        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, info.MacKey);
        hmac.AppendData(header, MacLength, IvLength);
        using var aes = Aes.Create();
        aes.Key = info.EncryptionKey;
        using var decryptor = aes.CreateDecryptor(aes.Key, info.InitializationVector);
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long plaintextLength = 0;
        try
        {
            await using var macCounted = new HashingReadStream(blob, hmac);
            await using var plaintext = new CryptoStream(macCounted, decryptor, CryptoStreamMode.Read);
            var buffer = new byte[81920];
            int read;
            while ((read = await plaintext.ReadAsync(buffer, cancellationToken)) > 0)
            {
                digest.AppendData(buffer, 0, read);
                plaintextLength += read;
            }
        }
        catch (CryptographicException)
        {
            return "the content does not decrypt with encryptionKey (bad padding): wrong key or a damaged upload.";
        }

        if (!CryptographicOperations.FixedTimeEquals(hmac.GetHashAndReset(), info.Mac))
        {
            return "HMAC-SHA256 over IV and ciphertext with macKey does not match mac: the upload is damaged or the keys are wrong.";
        }

        if (plaintextLength != expectedSize)
        {
            return $"the decrypted content is {plaintextLength} bytes; the file declared size {expectedSize}.";
        }

        return CryptographicOperations.FixedTimeEquals(digest.GetHashAndReset(), info.FileDigest)
            ? null
            : "the SHA-256 of the decrypted content does not match fileDigest.";
    }

    /// <summary>Feeds every byte read through it to a hash (the HMAC over the ciphertext as it streams by).</summary>
    private sealed class HashingReadStream(Stream inner, IncrementalHash hash) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            hash.AppendData(buffer, offset, read);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            hash.AppendData(buffer.Span[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
