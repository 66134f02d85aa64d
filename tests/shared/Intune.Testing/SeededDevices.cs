using Intune.Grains.Devices;
using Microsoft.Extensions.DependencyInjection;

namespace Intune.Testing;

/// <summary>
/// Realistic device rows written straight into a scale unit's device catalog (batch
/// transactions, no enrollment), for listing tests and measurements at tenant scale. Names and
/// sync times repeat on purpose so ordering ties are exercised.
/// </summary>
public static class SeededDevices
{
    private static readonly DevicePlatform[] Platforms = [DevicePlatform.Windows, DevicePlatform.Windows, DevicePlatform.IOS, DevicePlatform.Android, DevicePlatform.MacOS, DevicePlatform.IPadOS];
    private static readonly ComplianceState[] Compliance = [ComplianceState.Compliant, ComplianceState.Compliant, ComplianceState.Compliant, ComplianceState.Noncompliant, ComplianceState.InGracePeriod, ComplianceState.Unknown];
    private static readonly ManagementState[] Management = [ManagementState.Managed, ManagementState.Managed, ManagementState.Managed, ManagementState.RetirePending, ManagementState.WipePending];
    private static readonly string[] NamePrefixes = ["DESKTOP-", "LAPTOP-", "iPhone-", "Pixel-", "MacBook-"];

    public static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    public static IReadOnlyList<ManagedDeviceView> Create(string tenantId, int count, int seed = 42)
    {
        var random = new Random(seed);
        var devices = new List<ManagedDeviceView>(count);
        for (var i = 0; i < count; i++)
        {
            var platform = Platforms[random.Next(Platforms.Length)];
            var enrolled = Now.AddMinutes(-random.Next(60, 365 * 24 * 60));
            var lastSync = Now.AddMinutes(-random.Next(0, 30 * 24 * 60));
            var user = random.Next(count / 2 + 1);
            var id = new byte[16];
            random.NextBytes(id);
            devices.Add(new ManagedDeviceView
            {
                Id = new Guid(id).ToString(),
                TenantId = tenantId,
                DeviceName = $"{NamePrefixes[random.Next(NamePrefixes.Length)]}{random.Next(count):D5}",
                Platform = platform,
                OsVersion = "10.0.19045",
                UserPrincipalName = random.Next(20) == 0 ? null : $"user{user}@contoso.example",
                Ownership = random.Next(2) == 0 ? DeviceOwnership.Company : DeviceOwnership.Personal,
                ComplianceState = Compliance[random.Next(Compliance.Length)],
                ManagementState = Management[random.Next(Management.Length)],
                EnrolledDateTime = enrolled,
                LastSyncDateTime = lastSync < enrolled ? enrolled : lastSync,
                ManagementCertificateExpirationDate = enrolled.AddYears(1),
                Hardware = HardwareIdentifiers.None with { SerialNumber = random.Next(10) == 0 ? null : $"SN{random.Next(1_000_000):D7}" },
            });
        }

        return devices;
    }

    /// <summary>Writes the rows through the silo's catalog, which also feeds the tenant's index.</summary>
    public static async Task<IReadOnlyList<ManagedDeviceView>> SeedAsync(this ScaleUnitTestHost host, string tenantId, int count, int seed = 42)
    {
        var devices = Create(tenantId, count, seed);
        await host.Services.GetRequiredService<IDeviceCatalog>().UpsertManyAsync(devices);
        return devices;
    }
}
