using System.Security.Cryptography;
using Intune.Grains.Apps;

namespace Intune.Grains.Tests.Apps;

/// <summary>The commit check of a package laid out as HMAC ‖ IV ‖ AES-256-CBC ciphertext, against a packager written here.</summary>
public sealed class AppPackageVerifierTests
{
    private static (byte[] Blob, FileEncryptionInfo Info) Package(byte[] content)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var iv = RandomNumberGenerator.GetBytes(16);
        var macKey = RandomNumberGenerator.GetBytes(32);
        using var aes = Aes.Create();
        aes.Key = key;
        byte[] signed = [.. iv, .. aes.EncryptCbc(content, iv)];
        var mac = HMACSHA256.HashData(macKey, signed);
        return ([.. mac, .. signed], new FileEncryptionInfo(key, iv, mac, macKey, "ProfileVersion1", SHA256.HashData(content), "SHA256"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(200_001)]
    public async Task VerifyAsync_AsPackaged_Passes(int length)
    {
        var content = new byte[length];
        new Random(length).NextBytes(content);
        var (blob, info) = Package(content);

        Assert.Null(await AppPackageVerifier.VerifyAsync(new MemoryStream(blob), length, info));
    }

    [Fact]
    public async Task VerifyAsync_EachKindOfDamage_NamesItsReason()
    {
        var content = RandomNumberGenerator.GetBytes(5_000);
        var (blob, info) = Package(content);
        var flipped = blob.ToArray();
        flipped[^1] ^= 1;

        Assert.Contains("fileDigest", await AppPackageVerifier.VerifyAsync(new MemoryStream(blob), content.Length, info with { FileDigest = SHA256.HashData([1]) }));
        Assert.Contains("HMAC", await AppPackageVerifier.VerifyAsync(new MemoryStream(blob), content.Length, info with { MacKey = RandomNumberGenerator.GetBytes(32) }));
        Assert.Contains("MAC in the uploaded file", await AppPackageVerifier.VerifyAsync(new MemoryStream(blob), content.Length, info with { Mac = RandomNumberGenerator.GetBytes(32) }));
        Assert.Contains("IV", await AppPackageVerifier.VerifyAsync(new MemoryStream(blob), content.Length, info with { InitializationVector = RandomNumberGenerator.GetBytes(16) }));
        Assert.NotNull(await AppPackageVerifier.VerifyAsync(new MemoryStream(flipped), content.Length, info));
        Assert.Contains("declared size", await AppPackageVerifier.VerifyAsync(new MemoryStream(blob), content.Length + 1, info));
        Assert.Contains("shorter", await AppPackageVerifier.VerifyAsync(new MemoryStream(blob[..20]), content.Length, info));
        Assert.Contains("SHA256", AppPackageVerifier.CheckInfo(info with { FileDigestAlgorithm = "MD5" }));
        Assert.Contains("AES-256", AppPackageVerifier.CheckInfo(info with { EncryptionKey = new byte[16] }));
        Assert.Contains("ProfileVersion1", AppPackageVerifier.CheckInfo(info with { ProfileIdentifier = "v2" }));
    }
}
