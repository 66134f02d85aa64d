using Intune.ClusterConfig;
using Intune.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Intune.Silo.Tests.Hosting;

/// <summary>Options are bound once and a bad field stops the start with a message that names it.</summary>
public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("Gateways:ListenAddress", "everywhere")]
    [InlineData("Gateways:AdminPort", "0")]
    [InlineData("Gateways:DevicePort", "70000")]
    [InlineData("TenantMoves:CacheSeconds", "-1")]
    public async Task Start_WithABadField_FailsNamingTheField(string key, string value)
    {
        await using var host = new ScaleUnitTestHost();
        host.Settings[key] = value;

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);

        Assert.Contains(key, failure.Message);
    }

    [Fact]
    public void AddValidatedOptions_TwoFrontsAskingForOneSection_BindItOnce()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gateways:AdminPort"] = "6080" });

        var first = builder.AddValidatedOptions<GatewayListenOptions, GatewayListenOptionsValidator>(GatewayListenOptions.SectionName);
        var second = builder.AddValidatedOptions<GatewayListenOptions, GatewayListenOptionsValidator>(GatewayListenOptions.SectionName);
        using var built = builder.Build();

        Assert.Same(first, second);
        Assert.Equal(6080, built.Services.GetRequiredService<IOptions<GatewayListenOptions>>().Value.AdminPort);
        Assert.Single(built.Services.GetServices<IValidateOptions<GatewayListenOptions>>());
    }

    [Fact]
    public void TenantMoveMarkOptionsValidator_NamesTheField() =>
        Assert.Contains("TenantMoves:CacheSeconds", new TenantMoveMarkOptionsValidator().Validate(null, new TenantMoveMarkOptions { CacheSeconds = 301 }).FailureMessage);
}
