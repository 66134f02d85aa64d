using Intune.Device.V1;
using Intune.Grains.Tenants;

namespace Intune.Silo.Tests.Clustering;

/// <summary>Two silos of one unit (distinct ports, one ClusterId) join through Table membership and cover for each other.</summary>
public sealed class MultiSiloTests
{
    [Fact]
    public async Task OneOfTwoSilosStopped_EveryDeviceStillChecksIn()
    {
        var unit = ScaleUnitTestHost.NewUnit("na-01", "na", account: "na01");
        await using var first = new ScaleUnitTestHost(unit);
        await using var second = new ScaleUnitTestHost(unit);
        await first.StartAsync();
        await second.StartAsync();
        var management = second.Grains.GetGrain<IManagementGrain>(0);
        Assert.Equal(2, (await management.GetHosts(onlyActive: true)).Count);

        var tenantId = Guid.NewGuid().ToString();
        var tenant = first.Grains.GetGrain<ITenantGrain>(tenantId);
        await tenant.CreateAsync("Two silos", "na");
        var token = (await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromHours(1), null)).Token!;
        // Half the devices enroll through each silo's gateway: placement prefers the caller's silo
        // (the enrollment worker runs where the gateway is), so enrolling all through one gateway
        // may leave the silo about to stop with no Device grain at all.
        var devices = Enumerable.Range(0, 24)
            .Select(i => (i % 2 == 0 ? first : second).NewDevice((Platform)(1 + (i % 4)), i)).ToList();
        try
        {
            foreach (var device in devices)
            {
                await device.EnrollAsync(token);
                await device.CheckInAsync();
            }

            var firstSilo = first.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            var onFirst = (await management.GetSimpleGrainStatistics([firstSilo]))
                .Where(s => s.GrainType.Contains("DeviceGrain", StringComparison.Ordinal))
                .Sum(s => s.ActivationCount);
            Assert.True(onFirst > 0, "Placement put no Device grain on the silo about to stop, so the test would prove nothing.");

            await first.StopAsync();
            foreach (var device in devices.Where(d => d.Gateway == first.DeviceGateway))
            {
                device.UseGateway(second.DeviceGateway);
            }

            var results = new List<CheckInResponse>();
            foreach (var device in devices)
            {
                results.Add(await device.CheckInAsync());
            }

            Assert.All(results, r => Assert.Equal(ComplianceState.Compliant, r.ComplianceState));
            Assert.Single(await management.GetHosts(onlyActive: true));
        }
        finally
        {
            devices.ForEach(d => d.Dispose());
        }
    }
}
