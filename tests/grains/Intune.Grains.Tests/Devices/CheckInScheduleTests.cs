using Intune.Grains.Devices;

namespace Intune.Grains.Tests.Devices;

public sealed class CheckInScheduleTests
{
    private static readonly DateTimeOffset Enrolled = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    // iOS/iPadOS and macOS: every 15 minutes for the first hour, then every 8 hours.
    [InlineData(DevicePlatform.IOS, 0, 15)]
    [InlineData(DevicePlatform.IPadOS, 59, 15)]
    [InlineData(DevicePlatform.MacOS, 60, 480)]
    // Android and Windows: every 3 minutes for 15 minutes, every 15 minutes for 2 hours, then every 8 hours.
    [InlineData(DevicePlatform.Android, 0, 3)]
    [InlineData(DevicePlatform.Windows, 14, 3)]
    [InlineData(DevicePlatform.Windows, 15, 15)]
    [InlineData(DevicePlatform.Android, 134, 15)]
    [InlineData(DevicePlatform.Android, 135, 480)]
    public void Next_MinutesAfterEnrollment_FollowsIntuneSchedule(DevicePlatform platform, int minutesSinceEnrollment, int expectedIntervalMinutes)
    {
        var now = Enrolled.AddMinutes(minutesSinceEnrollment);

        var next = CheckInSchedule.Next(platform, Enrolled, now);

        Assert.Equal(TimeSpan.FromMinutes(expectedIntervalMinutes), next - now);
    }
}
