using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Intune.ServiceDefaults;

/// <summary>
/// Telemetry and health for every Intune.Cluster process. Metrics (ours, Orleans', ASP.NET
/// Core's and the runtime's) are served for Prometheus on <c>/metrics</c>, on every port but the
/// ones excluded with <see cref="ExcludeFromOperationalEndpoints"/> (the device ports). Traces
/// and an OTLP copy of the metrics are exported only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is
/// set: without a collector no span is recorded, so the hot paths pay nothing for tracing.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Meter and activity source of our own code.</summary>
    public const string TelemetryName = "Intune.Cluster";

    /// <summary>Where Prometheus scrapes.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Share of root traces kept when exporting (parents' decisions are followed); 1 keeps all.</summary>
    public const string TraceSampleRatioKey = "Telemetry:TraceSampleRatio";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter(TelemetryName)
                .AddMeter("Microsoft.Orleans")
                // The runtime's own meter (.NET 9+): GC, thread pool, JIT, exceptions.
                .AddMeter("System.Runtime")
                // Hosting, Kestrel, routing and rate limiting meters.
                .AddAspNetCoreInstrumentation()
                // Every scrape reads the instruments afresh (the exporter's default is to reuse a scrape for 300 ms).
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            var ratio = Math.Clamp(builder.Configuration.GetValue(TraceSampleRatioKey, 1.0), 0, 1);
            telemetry
                .WithTracing(tracing => tracing
                    .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio)))
                    .AddSource(TelemetryName)
                    .AddSource("Microsoft.Orleans.Runtime")
                    .AddSource("Microsoft.Orleans.Application")
                    .AddSource("Azure.*")
                    .AddAspNetCoreInstrumentation(o => o.Filter = ctx =>
                        !ctx.Request.Path.StartsWithSegments("/health") && !ctx.Request.Path.StartsWithSegments(MetricsPath)))
                .UseOtlpExporter();
        }

        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// Keeps <c>/metrics</c> off <paramref name="ports"/>: ports that face devices or the
    /// internet serve their protocol only, while operators scrape the admin or health port.
    /// </summary>
    public static IServiceCollection ExcludeFromOperationalEndpoints(this IServiceCollection services, IEnumerable<int> ports)
    {
        var excluded = services.FirstOrDefault(s => s.ServiceType == typeof(OperationalEndpointExclusions))?.ImplementationInstance as OperationalEndpointExclusions;
        if (excluded is null)
        {
            excluded = new OperationalEndpointExclusions();
            services.AddSingleton(excluded);
        }

        excluded.Ports.UnionWith(ports);
        return services;
    }

    /// <summary>
    /// <c>/health</c> (everything registered, including readiness checks), <c>/alive</c>
    /// (the process answers) and <c>/metrics</c> (Prometheus text format).
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        var excluded = app.Services.GetService<OperationalEndpointExclusions>()?.Ports ?? [];
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
            context.Request.Path == MetricsPath && !excluded.Contains(context.Connection.LocalPort));
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
        return app;
    }
}

/// <summary>The ports <c>/metrics</c> is not served on.</summary>
public sealed class OperationalEndpointExclusions
{
    public HashSet<int> Ports { get; } = [];
}
