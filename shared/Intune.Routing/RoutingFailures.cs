using Intune.Grains.Errors;
using Orleans.Runtime.Messaging;

namespace Intune.Routing;

/// <summary>
/// Failures of reaching a tenant's unit, worded as the refusals every front already answers
/// (REST 503/404, gRPC <c>Unavailable</c>/<c>NotFound</c>): a unit that is down or a grain call that
/// timed out is a retry, not a 500 or <c>Unknown</c>; a tenant the directory does not know is not found.
/// </summary>
public static class RoutingFailures
{
    /// <summary>How long a caller is asked to wait before retrying a unit that did not answer.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>The refusal <paramref name="exception"/> stands for, or null when it is a fault of ours (logged, answered 500/<c>Internal</c>).</summary>
    public static RequestRefusedException? AsRefusal(Exception exception) => exception switch
    {
        RequestRefusedException refused => refused,
        ScaleUnitUnavailableException unavailable => new UnavailableException(unavailable.Message, RetryAfter),
        TimeoutException or OrleansMessageRejectionException or ConnectionFailedException =>
            new UnavailableException("The scale unit did not answer in time; retry shortly.", RetryAfter),
        TenantNotRoutableException => new NotFoundException("The tenant is not known to this service (it may have been deleted)."),
        _ => null,
    };
}
