using Intune.AdminGateway.AdminCenter;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.RateLimiting;
using Intune.ClusterConfig;
using Intune.Routing;
using Intune.Silo.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Intune.Silo.Tests.Hosting;

/// <summary>
/// Every options section the scale-unit host reads is bound once and validated when the host is
/// built: a bad field stops the start with a message that names it (no Azurite is reached).
/// </summary>
public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData(nameof(GatewayListenOptions), "Gateways:ListenAddress", "everywhere")]
    [InlineData(nameof(GatewayListenOptions), "Gateways:AdminPort", "0")]
    [InlineData(nameof(GatewayListenOptions), "Gateways:DevicePort", "70000")]
    [InlineData(nameof(TenantMoveMarkOptions), "TenantMoves:CacheSeconds", "-1")]
    [InlineData(nameof(ScaleUnitOptions), "ScaleUnit:ServiceId", "")]
    [InlineData(nameof(ScaleUnitOptions), "ScaleUnit:ClusterAddress", "silo-1.internal")]
    [InlineData(nameof(ScaleUnitOptions), "ScaleUnit:ClusterAddress", "0.0.0.0")]
    [InlineData(nameof(AdminAuthOptions), "AdminAuth:Authority", "http://login.example")]
    [InlineData(nameof(AdminAuthOptions), "AdminAuth:SigningKey", "c2hvcnQ=")]
    [InlineData(nameof(AdminRateLimitOptions), "AdminGateway:RateLimit:TokenLimit", "0")]
    [InlineData(nameof(AdminCenterOptions), "AdminCenter:RedirectPath", "signin-oidc")]
    [InlineData(nameof(AdminCenterOptions), "AdminCenter:RootPath", "/nonexistent/admin-center")]
    public void Create_WithABadField_FailsNamingTheField(string options, string key, string value)
    {
        // Development, as the local Run: production mode would refuse the development signing key first.
        var failure = Assert.Throws<OptionsValidationException>(() => ScaleUnitHost.Create(["--environment", "Development"], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value })));

        Assert.Equal(options, failure.OptionsType.Name);
        Assert.Contains(failure.Failures, f => f.StartsWith(key, StringComparison.Ordinal));
    }

    [Fact]
    public void Create_ClusterTlsOffOnANonLoopbackAddress_IsRefused()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => ScaleUnitHost.Create(["--environment", "Development"], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ScaleUnit:ClusterAddress"] = "10.0.0.4",
                ["ScaleUnit:ClusterTls"] = "false",
            })));

        Assert.Contains(failure.Failures, f => f.StartsWith("ScaleUnit:ClusterTls", StringComparison.Ordinal));
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
        Assert.Equal(6080, built.Services.GetRequiredService<GatewayListenOptions>().AdminPort);
        Assert.Single(built.Services.GetServices<IValidateOptions<GatewayListenOptions>>());
    }

    [Fact]
    public async Task AddValidatedOptions_ValueBrokenAfterBuild_StillStopsTheStart()
    {
        // A later configuration source (a test's, an environment variable read late) is caught by ValidateOnStart.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddValidatedOptions<TenantMoveMarkOptions, TenantMoveMarkOptionsValidator>(TenantMoveMarkOptions.SectionName);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["TenantMoves:CacheSeconds"] = "301" });
        using var built = builder.Build();

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => built.StartAsync());

        Assert.Contains(failure.Failures, f => f.StartsWith("TenantMoves:CacheSeconds 301", StringComparison.Ordinal));
    }
}
