using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Intune.AdminGateway.Operations;

/// <summary>
/// The gRPC twin of <see cref="AdminOperationFilter"/>: demands the permission of the method's
/// <see cref="AdminOperation"/> (bound by <see cref="IAdminGrpcService.Operations"/>) and writes
/// the one audit event of a change, Success or Failure.
/// </summary>
internal sealed class AdminOperationInterceptor(AuditWriter audit) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var http = context.GetHttpContext();
        var binding = http.GetEndpoint()?.Metadata.GetMetadata<GrpcOperation>()
            ?? throw new InvalidOperationException($"{context.Method} is mapped without an AdminOperation.");
        var operation = binding.For(request);
        if (operation.Audit is not { } activity)
        {
            await AdminPermissionCheck.DemandAsync(http, operation.Permission);
            AdminScope.Enter(await AdminScope.OfAsync(http));
            return await continuation(request, context);
        }

        TResponse response;
        try
        {
            await AdminPermissionCheck.DemandAsync(http, operation.Permission);
            AdminScope.Enter(await AdminScope.OfAsync(http));
            response = await continuation(request, context);
        }
        catch (Exception)
        {
            await audit.WriteAsync(http, activity, succeeded: false, RequestResourceId(request));
            throw;
        }

        await audit.WriteAsync(http, activity, succeeded: true, RequestResourceId(request));
        return response;
    }

    /// <summary>The object the request names (its <c>id</c> or first <c>…_id</c> field), for events whose service recorded no resource.</summary>
    private static string? RequestResourceId(object? request) =>
        request is IMessage message
            ? message.Descriptor.Fields.InFieldNumberOrder()
                .Where(f => f.FieldType == FieldType.String && !f.IsRepeated && (f.Name == "id" || f.Name.EndsWith("_id", StringComparison.Ordinal)))
                .Select(f => f.Accessor.GetValue(message) as string)
                .FirstOrDefault(v => !string.IsNullOrEmpty(v))
            : null;
}

/// <summary>
/// The <see cref="AdminOperation"/> a gRPC method performs. Most methods perform one; a method whose
/// request names the resource kind (policies: compliance or configuration) picks among
/// <see cref="Candidates"/> by the request.
/// </summary>
public sealed class GrpcOperation
{
    private readonly Func<object, AdminOperation> select;

    private GrpcOperation(IReadOnlyList<AdminOperation> candidates, Func<object, AdminOperation> select)
    {
        Candidates = candidates;
        this.select = select;
    }

    /// <summary>Every operation the method may perform (what the route enumeration test checks).</summary>
    public IReadOnlyList<AdminOperation> Candidates { get; }

    public static implicit operator GrpcOperation(AdminOperation operation) => new([operation], _ => operation);

    public static GrpcOperation ByRequest<TRequest>(IReadOnlyList<AdminOperation> candidates, Func<TRequest, AdminOperation> select) =>
        new(candidates, request => select((TRequest)request));

    public AdminOperation For(object request) => select(request);
}

/// <summary>
/// An admin gRPC service: it binds each of its methods (by name) to the operation it performs,
/// so <see cref="AdminGrpc.MapAdminGrpc"/> can attach the descriptors as endpoint metadata.
/// </summary>
public interface IAdminGrpcService
{
    static abstract IReadOnlyDictionary<string, GrpcOperation> Operations { get; }
}
