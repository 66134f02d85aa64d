using Intune.Grains.Tenants;

namespace Intune.Grains.Tests.Tenants;

[Collection(ClusterCollection.Name)]
public sealed class TenantGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task CreateAsync_Twice_KeepsTheFirstRecord()
    {
        var tenant = fixture.Grains.GetGrain<ITenantGrain>(Guid.NewGuid().ToString());

        var first = await tenant.CreateAsync("Contoso", "na");
        var second = await tenant.CreateAsync("Renamed", "eu");

        Assert.Equal(first, second);
        Assert.Equal("Contoso", (await tenant.GetAsync())!.DisplayName);
    }

    [Fact]
    public async Task CreateEnrollmentTokenAsync_ListsWithoutTheSecret()
    {
        var tenant = fixture.Grains.GetGrain<ITenantGrain>(Guid.NewGuid().ToString());
        await tenant.CreateAsync("Contoso", "na");

        var created = await tenant.CreateEnrollmentTokenAsync(TimeSpan.FromDays(7), maximumUses: 10);
        var listed = (await tenant.ListEnrollmentTokensAsync()).Single();

        Assert.StartsWith(tenant.GetPrimaryKeyString() + ".", created.Token);
        Assert.Null(listed.Token);
        Assert.Equal(created.TokenId, listed.TokenId);
        Assert.Equal(10, listed.MaximumUses);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(400 * 24, null)]
    [InlineData(24, 0)]
    public async Task CreateEnrollmentTokenAsync_OutOfRange_IsRejected(int lifetimeHours, int? maximumUses)
    {
        var tenant = fixture.Grains.GetGrain<ITenantGrain>(Guid.NewGuid().ToString());
        await tenant.CreateAsync("Contoso", "na");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => tenant.CreateEnrollmentTokenAsync(TimeSpan.FromHours(lifetimeHours), maximumUses));
    }

    [Fact]
    public async Task GetAsync_NeverCreated_IsNull()
    {
        Assert.Null(await fixture.Grains.GetGrain<ITenantGrain>(Guid.NewGuid().ToString()).GetAsync());
    }
}
