using Intune.Grains.Devices;
using Intune.Grains.Policies;
using Intune.Grains.Users;

namespace Intune.Grains.Tests.Policies;

/// <summary>The built-in default compliance policy's "enrolled user exists" check.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DefaultCompliancePolicyTests(ClusterFixture fixture)
{
    private const string Upn = "megan@contoso.example";
    private static readonly DeviceFacts Facts = new() { OsVersion = "10.0.22631", PasscodeSet = true, PasscodeLength = 8 };

    [Fact]
    public async Task SetDeletedAsync_EnrolledUserDeletedAndRestored_DeviceNoncompliantThenCompliant()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var (device, user) = await EnrollForUserAsync(kit);
        var other = await kit.EnrollAsync(DevicePlatform.Windows, upn: "someone.else@contoso.example");
        await device.CheckInAsync(Facts);
        await other.CheckInAsync(Facts);
        var policy = await kit.CreateComplianceAsync("windows10CompliancePolicy", new Dictionary<string, string> { ["passwordRequired"] = "true" });
        await policy.AssignAsync([new AssignmentTarget(AssignmentTargetKind.AllDevices, null)]);
        var before = (await device.Device.GetAsync())!.ComplianceState;

        var deleted = await user.SetDeletedAsync(true);
        var afterDelete = (await device.Device.GetAsync())!.ComplianceState;
        var summaryAfterDelete = await kit.Summary.GetAsync(PolicyKind.Compliance);
        var verdict = await device.Compliance.GetAccessVerdictAsync();
        var again = await user.SetDeletedAsync(true);
        await user.SetDeletedAsync(false);
        var afterRestore = (await device.Device.GetAsync())!.ComplianceState;

        Assert.Equal(ComplianceState.Compliant, before);
        Assert.True(deleted);
        Assert.Equal(ComplianceState.Noncompliant, afterDelete);
        Assert.False(verdict!.IsCompliant);
        // Only the deleted user's device moved.
        Assert.Equal(ComplianceState.Compliant, (await other.Device.GetAsync())!.ComplianceState);
        Assert.Equal((1, 1), (summaryAfterDelete.CompliantDeviceCount, summaryAfterDelete.NonCompliantDeviceCount));
        Assert.False(again);
        Assert.Equal(ComplianceState.Compliant, afterRestore);
    }

    [Fact]
    public async Task CheckInAsync_UserDeletedBeforeFirstCheckIn_Noncompliant()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var (device, user) = await EnrollForUserAsync(kit);

        await user.SetDeletedAsync(true);
        var result = await device.CheckInAsync(Facts);

        Assert.Equal(ComplianceState.Noncompliant, result.ComplianceState);
        Assert.False(await user.ExistsAsync());
    }

    [Fact]
    public async Task SetDeletedAsync_UserlessDevice_Unaffected()
    {
        var kit = new PolicyTestKit(fixture.Grains);
        await kit.CreateTenantAsync();
        var kiosk = await kit.EnrollAsync(DevicePlatform.Windows, upn: null);
        await kiosk.CheckInAsync(Facts);

        await kiosk.Compliance.ApplyEnrolledUserExistsAsync(false);

        Assert.Equal(ComplianceState.Compliant, (await kiosk.Device.GetAsync())!.ComplianceState);
    }

    /// <summary>Enrolls a device for <see cref="Upn"/> and records it with the user, as enrollment does.</summary>
    private async Task<(EnrolledDevice Device, IUserGrain User)> EnrollForUserAsync(PolicyTestKit kit)
    {
        var device = await kit.EnrollAsync(DevicePlatform.Windows, upn: Upn);
        var user = fixture.Grains.GetGrain<IUserGrain>(UserDevices.Key(kit.TenantId, Upn));
        await user.ReserveDeviceAsync(device.Id, limit: 5);
        return (device, user);
    }
}
