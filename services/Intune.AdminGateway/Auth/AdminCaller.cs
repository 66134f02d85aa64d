using Grpc.Core;
using Intune.Grains.Errors;
using Microsoft.AspNetCore.Http;

namespace Intune.AdminGateway.Auth;

/// <summary>
/// The caller's tenant: the token's <c>tid</c>, for both fronts. The admin authorization policy
/// admits no token without one, so the refusal here only guards a mapping mistake.
/// </summary>
public static class AdminCaller
{
    public static string CallerTenantId(this HttpContext context) =>
        context.User.GetTenantId() ?? throw new ForbiddenException("The token carries no 'tid' claim.");

    public static string CallerTenantId(this ServerCallContext context) => context.GetHttpContext().CallerTenantId();
}
