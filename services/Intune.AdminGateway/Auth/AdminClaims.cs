using System.Security.Claims;

namespace Intune.AdminGateway.Auth;

/// <summary>Claim names as Microsoft Entra ID issues them; the tenant comes from <c>tid</c> only.</summary>
public static class AdminClaims
{
    public const string TenantId = "tid";
    public const string Roles = "roles";
    public const string UserPrincipalName = "upn";
    public const string ObjectId = "oid";

    public static string? GetTenantId(this ClaimsPrincipal user) => user.FindFirst(TenantId)?.Value;
}
