using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Intune.ServiceDefaults;

/// <summary>
/// Telemetry and health for every Intune.Cluster process. Traces and metrics are exported over
/// OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, so a local run needs no collector.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Meter and activity source of our own code.</summary>
    public const string TelemetryName = "Intune.Cluster";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter(TelemetryName)
                .AddMeter("Microsoft.Orleans")
                .AddAspNetCoreInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(TelemetryName)
                .AddSource("Microsoft.Orleans.Runtime")
                .AddSource("Microsoft.Orleans.Application")
                .AddSource("Azure.*")
                .AddAspNetCoreInstrumentation(o => o.Filter = ctx => !ctx.Request.Path.StartsWithSegments("/health")));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }

        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// <c>/health</c> (everything registered, including readiness checks) and <c>/alive</c>
    /// (the process answers).
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
        return app;
    }
}
