using System.Security.Cryptography;

namespace Intune.AdminGateway.Tests.MobileApps;

/// <summary>
/// A package as a packaging tool lays it out for upload (HMAC-SHA256 ‖ IV ‖ AES-256-CBC
/// ciphertext), with the fileEncryptionInfo values a client sends at commit. Written from the
/// format's description so the service's verifier is checked against an independent producer.
/// </summary>
public sealed record PackagedFile(byte[] Content, byte[] Upload, byte[] Key, byte[] Iv, byte[] Mac, byte[] MacKey, byte[] Digest)
{
    public static PackagedFile Of(byte[] content)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var iv = RandomNumberGenerator.GetBytes(16);
        var macKey = RandomNumberGenerator.GetBytes(32);
        using var aes = Aes.Create();
        aes.Key = key;
        var ciphertext = aes.EncryptCbc(content, iv, PaddingMode.PKCS7);
        var signed = iv.Concat(ciphertext).ToArray();
        var mac = HMACSHA256.HashData(macKey, signed);
        return new PackagedFile(content, [.. mac, .. signed], key, iv, mac, macKey, SHA256.HashData(content));
    }

    public static PackagedFile Random(int length, int seed) => Of(RandomBytes(length, seed));

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public Microsoft.Graph.Models.FileEncryptionInfo EncryptionInfo(byte[]? digest = null) => new()
    {
        EncryptionKey = Key,
        InitializationVector = Iv,
        Mac = Mac,
        MacKey = MacKey,
        ProfileIdentifier = "ProfileVersion1",
        FileDigest = digest ?? Digest,
        FileDigestAlgorithm = "SHA256",
    };
}
