using Grpc.Core;
using Intune.Device.V1;
using Intune.DeviceGateway.Limits;

namespace Intune.DeviceGateway.Tests.Security;

/// <summary>
/// What a device sends past a limit is <c>InvalidArgument</c> naming the field and the limit, and
/// none of it is kept: the device's next honest check-in is served as before.
/// </summary>
[Trait("Category", "Adversarial")]
public sealed class DeviceInputLimitTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    [Fact]
    public async Task ACheckInPastALimit_IsInvalidArgumentNamingIt_AndKeepsNothing()
    {
        var (_, token) = await fixture.Host.CreateTenantAsync();
        using var device = fixture.Host.NewDevice(Platform.Windows, 7);
        await device.EnrollAsync(token);
        await device.CheckInAsync();
        var client = device.CreateClient(device.Certificate, device.CertificateAuthority);

        var longModel = device.Profile.Facts();
        longModel.Model = new string('m', DeviceInputLimits.MaxString + 1);
        var controlName = device.Profile.Facts();
        controlName.DeviceName = "bell\u0007";
        var manyReports = new CheckInRequest { Facts = device.Profile.Facts() };
        manyReports.SettingReports.AddRange(Enumerable.Range(0, DeviceInputLimits.MaxEntries + 1).Select(i => new SettingReport { PolicyId = Guid.NewGuid().ToString(), Setting = $"s{i}", Succeeded = true }));
        var longError = new CheckInRequest { Facts = device.Profile.Facts() };
        longError.SettingReports.Add(new SettingReport { PolicyId = Guid.NewGuid().ToString(), Setting = "s", ErrorMessage = new string('e', DeviceInputLimits.MaxErrorText + 1) });

        var refusals = new[]
        {
            (await RefusedAsync(() => client.CheckInAsync(new CheckInRequest { Facts = longModel }).ResponseAsync), "'facts.model' is 257 characters long; the limit is 256"),
            (await RefusedAsync(() => client.CheckInAsync(new CheckInRequest { Facts = controlName }).ResponseAsync), "'facts.device_name' holds control characters"),
            (await RefusedAsync(() => client.CheckInAsync(manyReports).ResponseAsync), "'setting_reports' has 1001 entries; the limit is 1000"),
            (await RefusedAsync(() => client.CheckInAsync(longError).ResponseAsync), "'setting_reports[0].error_message' is 1025 characters long; the limit is 1024"),
        };
        var after = await device.CheckInAsync();
        var view = await fixture.Host.Grains.GetGrain<Intune.Grains.Devices.IDeviceGrain>(Intune.Grains.GrainKeys.Scoped(device.TenantId!, device.DeviceId!)).GetAsync();

        Assert.All(refusals, r =>
        {
            Assert.Equal(StatusCode.InvalidArgument, r.Item1.StatusCode);
            Assert.Contains(r.Item2, r.Item1.Status.Detail, StringComparison.Ordinal);
        });
        Assert.Equal(ComplianceState.Compliant, after.ComplianceState);
        Assert.NotNull(view);
        Assert.Equal(device.Profile.Model, view.Facts.Model);
        Assert.Equal(device.Profile.DeviceName, view.DeviceName);
    }

    private static async Task<RpcException> RefusedAsync(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);
}
