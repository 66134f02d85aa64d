using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Limits;
using Intune.Grains.Errors;
using Intune.Grains.Users;
using Intune.Routing;

namespace Intune.AdminGateway.Resources.Users;

/// <summary>
/// Deletes (or restores) a directory user as far as compliance is concerned: the built-in default
/// policy's "enrolled user exists" then fails (or passes) for their devices.
/// </summary>
public sealed class UserService(IScaleUnitRouter router)
{
    /// <exception cref="NotFoundException">The user already is deleted.</exception>
    public async Task DeleteAsync(string tenantId, string userPrincipalName, AuditRecorder audit)
    {
        if (!await SetDeletedAsync(tenantId, userPrincipalName, deleted: true, audit))
        {
            throw new NotFoundException($"User '{userPrincipalName}' is already deleted.");
        }
    }

    /// <exception cref="NotFoundException">No deleted user with this name exists in this tenant.</exception>
    public async Task RestoreAsync(string tenantId, string userPrincipalName, AuditRecorder audit)
    {
        if (!await SetDeletedAsync(tenantId, userPrincipalName, deleted: false, audit))
        {
            throw new NotFoundException($"No deleted user '{userPrincipalName}' exists in this tenant.");
        }
    }

    private async Task<bool> SetDeletedAsync(string tenantId, string userPrincipalName, bool deleted, AuditRecorder audit)
    {
        InputLimits.UserPrincipalName(userPrincipalName);
        if (string.IsNullOrWhiteSpace(userPrincipalName) || !userPrincipalName.Contains('@'))
        {
            throw new InvalidRequestException("Users are named by userPrincipalName (…/users/adele@contoso.com).", "userPrincipalName");
        }

        var changed = await (await router.ForTenantAsync(tenantId)).GetGrain<IUserGrain>(UserDevices.Key(tenantId, userPrincipalName)).SetDeletedAsync(deleted);
        if (changed)
        {
            audit.AddResource("User", userPrincipalName.ToLowerInvariant(), userPrincipalName);
        }

        return changed;
    }
}
