using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Intune.Grains.Devices;

namespace Intune.Grains.Tests;

/// <summary>Builds enrollment requests as a device agent would (own key, real CSR).</summary>
public static class TestDevices
{
    public static byte[] Csr(string name = "test-device")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256).CreateSigningRequest();
    }

    public static DeviceEnrollment Enrollment(DevicePlatform platform = DevicePlatform.Windows, byte[]? csr = null, string osVersion = "10.0.22631.4460") => new(
        platform,
        osVersion,
        $"{platform}-test",
        new HardwareIdentifiers("SN-" + Guid.NewGuid().ToString("N")[..8], null, null, null, null, null),
        "adele@contoso.example",
        DeviceOwnership.Company,
        csr ?? Csr(),
        "Model X",
        "Contoso");

    public static string SerialOf(DeviceEnrollmentResult result) => SerialOf(result.Certificate);

    public static string SerialOf(byte[] certificate)
    {
        using var loaded = X509CertificateLoader.LoadCertificate(certificate);
        return loaded.SerialNumber;
    }
}
