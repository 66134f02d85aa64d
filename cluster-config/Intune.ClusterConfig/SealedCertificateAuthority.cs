using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Intune.ClusterConfig;

/// <summary>
/// How a unit's CA is kept in its blob (<see cref="ScaleUnitStorageLayout.AuthorityBlob"/>): the
/// certificate in the clear, so tools that only need the public part (tenant moves) read it without
/// the key, and the private key (PKCS#8) encrypted with AES-256-GCM under the unit's
/// key-encryption key (<c>ScaleUnit:CertificateAuthorityKey</c>). The header and certificate are
/// authenticated data: swapping the certificate or any byte fails to open.
/// Layout: "ICA1" ‖ certificate length (int32, big-endian) ‖ certificate DER ‖ nonce (12) ‖ tag (16) ‖ ciphertext.
/// </summary>
public static class SealedCertificateAuthority
{
    public const int KeySize = 32;

    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static ReadOnlySpan<byte> Magic => "ICA1"u8;

    /// <summary>
    /// The key-encryption key a Development host uses when none is configured. It is public (it is
    /// in this source file): production refuses it (<see cref="ResolveKey"/>).
    /// </summary>
    private static readonly byte[] DevelopmentKey = SHA256.HashData("Intune.Cluster development CA key-encryption key (public)"u8);

    /// <summary>
    /// The key-encryption key from its configured value (base64 of 32 bytes). Empty: the
    /// development key in Development, an error otherwise. Throws with a message naming the setting.
    /// </summary>
    public static byte[] ResolveKey(string? configured, bool development)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            return development
                ? DevelopmentKey
                : throw new InvalidOperationException(
                    "ScaleUnit:CertificateAuthorityKey is required outside Development: the base64 of 32 random bytes " +
                    "(e.g. `openssl rand -base64 32`), kept in a secret store such as Azure Key Vault, never in the repository. " +
                    "It encrypts the unit's CA private key in storage.");
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(configured.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException("ScaleUnit:CertificateAuthorityKey is not base64: it must be the base64 of 32 random bytes.");
        }

        if (key.Length != KeySize)
        {
            throw new InvalidOperationException($"ScaleUnit:CertificateAuthorityKey holds {key.Length} bytes; it must be the base64 of exactly {KeySize} random bytes.");
        }

        if (!development && CryptographicOperations.FixedTimeEquals(key, DevelopmentKey))
        {
            throw new InvalidOperationException("ScaleUnit:CertificateAuthorityKey is the development key, which is public: configure a key of your own.");
        }

        return key;
    }

    /// <summary>Whether <paramref name="stored"/> is in this format (older units kept a password-less PKCS#12).</summary>
    public static bool IsSealed(ReadOnlySpan<byte> stored) => stored.StartsWith(Magic);

    /// <summary>Seals a CA certificate with its ECDSA private key.</summary>
    public static byte[] Seal(X509Certificate2 authority, ReadOnlySpan<byte> key)
    {
        using var privateKey = authority.GetECDsaPrivateKey()
            ?? throw new InvalidOperationException("The certificate authority has no ECDSA private key to seal.");
        var plaintext = privateKey.ExportPkcs8PrivateKey();
        try
        {
            var certificate = authority.RawData;
            var header = Magic.Length + sizeof(int) + certificate.Length;
            var sealedBytes = new byte[header + NonceSize + TagSize + plaintext.Length];
            Magic.CopyTo(sealedBytes);
            BinaryPrimitives.WriteInt32BigEndian(sealedBytes.AsSpan(Magic.Length), certificate.Length);
            certificate.CopyTo(sealedBytes.AsSpan(Magic.Length + sizeof(int)));
            var nonce = sealedBytes.AsSpan(header, NonceSize);
            RandomNumberGenerator.Fill(nonce);
            using var aes = new AesGcm(key, TagSize);
            aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(header + NonceSize + TagSize), sealedBytes.AsSpan(header + NonceSize, TagSize), sealedBytes.AsSpan(0, header));
            return sealedBytes;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>The CA certificate with its private key. Throws when the key is wrong or a byte was changed.</summary>
    public static X509Certificate2 Open(ReadOnlySpan<byte> stored, ReadOnlySpan<byte> key)
    {
        var header = HeaderLength(stored);
        if (stored.Length < header + NonceSize + TagSize)
        {
            throw new CryptographicException("The stored certificate authority is truncated.");
        }

        var plaintext = new byte[stored.Length - header - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            try
            {
                aes.Decrypt(stored.Slice(header, NonceSize), stored[(header + NonceSize + TagSize)..], stored.Slice(header + NonceSize, TagSize), plaintext, stored[..header]);
            }
            catch (AuthenticationTagMismatchException)
            {
                throw new CryptographicException(
                    "The stored certificate authority cannot be opened with ScaleUnit:CertificateAuthorityKey: the key is not the one it was sealed with, or the blob was altered.");
            }

            using var certificate = X509CertificateLoader.LoadCertificate(stored[(Magic.Length + sizeof(int))..header]);
            using var privateKey = ECDsa.Create();
            privateKey.ImportPkcs8PrivateKey(plaintext, out _);
            return certificate.CopyWithPrivateKey(privateKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>The CA certificate, public part only (DER), without the key-encryption key.</summary>
    public static byte[] PublicCertificate(ReadOnlySpan<byte> stored)
    {
        if (!IsSealed(stored))
        {
            // An older unit's password-less PKCS#12.
            using var legacy = X509CertificateLoader.LoadPkcs12(stored, password: null);
            return legacy.Export(X509ContentType.Cert);
        }

        return stored[(Magic.Length + sizeof(int))..HeaderLength(stored)].ToArray();
    }

    private static int HeaderLength(ReadOnlySpan<byte> stored)
    {
        if (!IsSealed(stored) || stored.Length < Magic.Length + sizeof(int))
        {
            throw new CryptographicException("The stored certificate authority is not in the sealed format.");
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(stored[Magic.Length..]);
        if (length <= 0 || length > stored.Length - Magic.Length - sizeof(int))
        {
            throw new CryptographicException("The stored certificate authority is truncated.");
        }

        return Magic.Length + sizeof(int) + length;
    }
}
