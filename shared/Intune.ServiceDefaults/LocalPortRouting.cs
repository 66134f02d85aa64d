using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Intune.ServiceDefaults;

/// <summary>The listener ports an endpoint is served on (the connection's local port, not the Host header).</summary>
public sealed class LocalPortMetadata(IReadOnlyCollection<int> ports)
{
    public IReadOnlyCollection<int> Ports { get; } = ports;
}

/// <summary>
/// Keeps each front on its own listener. <c>RequireHost("*:5080")</c> matches the port the
/// client wrote in its Host header, so a Graph call sent to the device port with
/// <c>Host: x:5080</c> was served there; this matches the port the connection was accepted on,
/// which the client cannot choose.
/// </summary>
public static class LocalPortRouting
{
    /// <summary>Serves the endpoints only on connections accepted on one of <paramref name="ports"/>.</summary>
    public static TBuilder RequireLocalPort<TBuilder>(this TBuilder builder, params int[] ports)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentOutOfRangeException.ThrowIfZero(ports.Length);
        builder.WithMetadata(new LocalPortMetadata(ports));
        return builder;
    }

    /// <summary>Registers the matcher policy that reads <see cref="LocalPortMetadata"/>.</summary>
    public static IServiceCollection AddLocalPortRouting(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, LocalPortMatcherPolicy>());
        return services;
    }

    /// <summary>Drops candidates whose <see cref="LocalPortMetadata"/> does not name the connection's local port.</summary>
    private sealed class LocalPortMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
    {
        // After the HTTP method and host policies, like them a filter on the candidates.
        public override int Order => -50;

        public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
            endpoints.Any(e => e.Metadata.GetMetadata<LocalPortMetadata>() is not null);

        public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
        {
            var port = httpContext.Connection.LocalPort;
            for (var i = 0; i < candidates.Count; i++)
            {
                if (candidates.IsValidCandidate(i)
                    && candidates[i].Endpoint.Metadata.GetMetadata<LocalPortMetadata>() is { } metadata
                    && !metadata.Ports.Contains(port))
                {
                    candidates.SetValidity(i, false);
                }
            }

            return Task.CompletedTask;
        }
    }
}
