using Grpc.Core;
using Grpc.Core.Interceptors;
using Intune.Grains.Errors;
using Intune.Routing;
using Microsoft.Extensions.Logging;

namespace Intune.AdminGateway.Errors;

/// <summary>
/// The one translation of the application's refusals into gRPC statuses, for every admin gRPC
/// service, with the refusal's message as the detail. An unexpected exception is
/// <c>Internal</c> naming only a correlation id, which is logged with the exception.
/// </summary>
internal sealed class AdminGrpcErrorInterceptor(ILogger<AdminGrpcErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (RoutingFailures.AsRefusal(e) is { } refused)
        {
            throw new RpcException(new Status(ToStatusCode(refused), refused.Message));
        }
        catch (Exception e) when (e is not RpcException and not OperationCanceledException)
        {
            var correlationId = context.GetHttpContext().TraceIdentifier;
            logger.LogError(e, "Unhandled error in {Method} (correlation id {CorrelationId})", context.Method, correlationId);
            throw new RpcException(new Status(StatusCode.Internal, $"An unexpected error occurred. Quote correlation id {correlationId} when reporting it."));
        }
    }

    private static StatusCode ToStatusCode(RequestRefusedException refused) => refused switch
    {
        InvalidRequestException => StatusCode.InvalidArgument,
        NotFoundException => StatusCode.NotFound,
        ConflictException => StatusCode.FailedPrecondition,
        ForbiddenException => StatusCode.PermissionDenied,
        ThrottledException => StatusCode.ResourceExhausted,
        UnavailableException => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };
}
