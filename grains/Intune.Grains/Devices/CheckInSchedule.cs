namespace Intune.Grains.Devices;

/// <summary>
/// When a device should check in next, following Intune's schedule (docs/architecture.md §9): frequent
/// check-ins right after enrollment so policies land quickly, then about every 8 hours.
/// </summary>
public static class CheckInSchedule
{
    public static readonly TimeSpan SteadyInterval = TimeSpan.FromHours(8);

    public static DateTimeOffset Next(DevicePlatform platform, DateTimeOffset enrolled, DateTimeOffset now)
    {
        var age = now - enrolled;
        var interval = platform switch
        {
            // iOS/iPadOS and macOS: every 15 minutes for the first hour.
            DevicePlatform.IOS or DevicePlatform.IPadOS or DevicePlatform.MacOS when age < TimeSpan.FromHours(1) => TimeSpan.FromMinutes(15),
            // Android and Windows: every 3 minutes for 15 minutes, then every 15 minutes for 2 hours.
            DevicePlatform.Android or DevicePlatform.Windows when age < TimeSpan.FromMinutes(15) => TimeSpan.FromMinutes(3),
            DevicePlatform.Android or DevicePlatform.Windows when age < TimeSpan.FromMinutes(15) + TimeSpan.FromHours(2) => TimeSpan.FromMinutes(15),
            _ => SteadyInterval,
        };
        return now + interval;
    }
}
