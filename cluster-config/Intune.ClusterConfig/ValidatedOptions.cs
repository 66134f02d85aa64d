using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Intune.ClusterConfig;

/// <summary>
/// The one way options sections are read: bound once and checked by a validator whose messages
/// name the bad field (<c>Section:Field</c>), so a wrong value stops the start instead of
/// surfacing later as a failed request.
/// </summary>
public static class ValidatedOptions
{
    /// <summary>
    /// Binds <paramref name="sectionName"/> for a host: registered as <see cref="IOptions{TOptions}"/>
    /// (and as the plain instance) with <c>ValidateOnStart</c>, and checked right away because
    /// wiring done before the container exists (ports, addresses, storage) reads the same value.
    /// </summary>
    /// <returns>The bound, validated value; every call for one host returns the same instance.</returns>
    /// <exception cref="OptionsValidationException">A field is bad; the message names it.</exception>
    public static TOptions AddValidatedOptions<TOptions>(this IHostApplicationBuilder builder, string sectionName, IValidateOptions<TOptions> validator)
        where TOptions : class, new()
    {
        if (builder.Properties.TryGetValue(typeof(TOptions), out var bound))
        {
            return (TOptions)bound;
        }

        var value = Bind(builder.Configuration, sectionName, validator);
        builder.Services.AddOptions<TOptions>().Bind(builder.Configuration.GetSection(sectionName)).ValidateOnStart();
        builder.Services.AddSingleton(validator);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<TOptions>>().Value);
        builder.Properties[typeof(TOptions)] = value;
        return value;
    }

    /// <inheritdoc cref="AddValidatedOptions{TOptions}(IHostApplicationBuilder, string, IValidateOptions{TOptions})"/>
    public static TOptions AddValidatedOptions<TOptions, TValidator>(this IHostApplicationBuilder builder, string sectionName)
        where TOptions : class, new()
        where TValidator : class, IValidateOptions<TOptions>, new() =>
        builder.AddValidatedOptions(sectionName, new TValidator());

    /// <summary>Binds and validates a section outside a host (the CLI reading a topology file).</summary>
    /// <exception cref="OptionsValidationException">A field is bad; the message names it.</exception>
    public static TOptions Bind<TOptions>(IConfiguration configuration, string sectionName, IValidateOptions<TOptions> validator)
        where TOptions : class, new()
    {
        var value = configuration.GetSection(sectionName).Get<TOptions>() ?? new TOptions();
        var result = validator.Validate(Options.DefaultName, value);
        return result.Failed ? throw new OptionsValidationException(sectionName, typeof(TOptions), result.Failures) : value;
    }
}
