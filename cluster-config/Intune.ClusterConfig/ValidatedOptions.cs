using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Intune.ClusterConfig;

/// <summary>
/// Binds an options section once per host and validates it: registered as
/// <see cref="IOptions{TOptions}"/> (and as the plain instance) with
/// <c>ValidateOnStart</c>, and checked right away because wiring done before the container
/// exists (ports, addresses, storage) reads the same value. A bad field fails the start with
/// an <see cref="OptionsValidationException"/> whose message names it.
/// </summary>
public static class ValidatedOptions
{
    /// <returns>The bound, validated value; every call for one host returns the same instance.</returns>
    public static TOptions AddValidatedOptions<TOptions, TValidator>(this IHostApplicationBuilder builder, string sectionName)
        where TOptions : class, new()
        where TValidator : class, IValidateOptions<TOptions>, new()
    {
        if (builder.Properties.TryGetValue(typeof(TOptions), out var bound))
        {
            return (TOptions)bound;
        }

        var value = builder.Configuration.GetSection(sectionName).Get<TOptions>() ?? new TOptions();
        var result = new TValidator().Validate(Options.DefaultName, value);
        if (result.Failed)
        {
            throw new OptionsValidationException(sectionName, typeof(TOptions), result.Failures);
        }

        builder.Services.AddOptions<TOptions>().Bind(builder.Configuration.GetSection(sectionName)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<TOptions>>().Value);
        builder.Properties[typeof(TOptions)] = value;
        return value;
    }
}
