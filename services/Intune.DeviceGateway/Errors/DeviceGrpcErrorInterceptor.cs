using Grpc.Core;
using Grpc.Core.Interceptors;
using Intune.Grains.Errors;
using Intune.Routing;

namespace Intune.DeviceGateway.Errors;

/// <summary>
/// The application's refusals as the device protocol's statuses: a change the unit could not save
/// or a unit that did not answer is <c>Unavailable</c> (retry, <see cref="RoutingFailures"/>), bad input <c>InvalidArgument</c>, a limit or throttle
/// <c>ResourceExhausted</c>, each with its message; the service's own statuses pass through untouched.
/// </summary>
internal sealed class DeviceGrpcErrorInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (RoutingFailures.AsRefusal(e) is { } refused)
        {
            throw ToRpc(refused);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (RoutingFailures.AsRefusal(e) is { } refused)
        {
            throw ToRpc(refused);
        }
    }

    /// <summary>Only the refusals grains raise on the device path; the device protocol has no admin refusals (not found, forbidden).</summary>
    private static RpcException ToRpc(RequestRefusedException refused) => new(new Status(
        refused switch
        {
            UnavailableException => StatusCode.Unavailable,
            InvalidRequestException => StatusCode.InvalidArgument,
            _ => StatusCode.ResourceExhausted,
        },
        refused.Message));
}
