using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Intune.AdminGateway.Operations;

/// <summary>
/// For every Graph endpoint: demands the permission of the endpoint's <see cref="AdminOperation"/>
/// and, for a change, writes its one audit event (Success, or Failure when the call was refused
/// or failed). An endpoint mapped without a descriptor is a programming error and answers 500.
/// </summary>
internal sealed class AdminOperationFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var operation = http.GetEndpoint()?.Metadata.GetMetadata<AdminOperation>()
            ?? throw new InvalidOperationException($"{http.Request.Method} {http.Request.Path} is mapped without an AdminOperation.");
        if (operation.Audit is not { } activity)
        {
            await AdminPermissionCheck.DemandAsync(http, operation.Permission);
            AdminScope.Enter(await AdminScope.OfAsync(http));
            return await next(context);
        }

        var audit = http.RequestServices.GetRequiredService<AuditWriter>();
        object? result;
        try
        {
            await AdminPermissionCheck.DemandAsync(http, operation.Permission);
            AdminScope.Enter(await AdminScope.OfAsync(http));
            result = await next(context);
        }
        catch (Exception)
        {
            await audit.WriteAsync(http, activity, succeeded: false, RouteResourceId(http));
            throw;
        }

        await audit.WriteAsync(http, activity, succeeded: result is not IStatusCodeHttpResult { StatusCode: >= 400 }, RouteResourceId(http));
        return result;
    }

    /// <summary>The object the URL names, for events whose service recorded no resource (a refused change).</summary>
    private static string? RouteResourceId(HttpContext context) =>
        context.Request.RouteValues.Where(v => v.Key is "id" or "deviceId" or "userPrincipalName").Select(v => v.Value?.ToString()).FirstOrDefault(v => !string.IsNullOrEmpty(v));
}

public static class AdminOperationEndpoints
{
    /// <summary>Declares which <see cref="AdminOperation"/> this endpoint performs: its permission and audit activity.</summary>
    public static TBuilder Is<TBuilder>(this TBuilder builder, AdminOperation operation)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(operation);
}
