using System.Text.Json.Nodes;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Limits;
using Intune.Grains.Errors;
using Intune.Grains.Rbac;
using Intune.Routing;

namespace Intune.AdminGateway.Resources.RoleScopeTags;

/// <summary>
/// A tenant's scope tags (beta <c>roleScopeTags</c>): the built-in Default (id <c>0</c>, code) and
/// custom tags kept in the tenant's RBAC grain beside its roles, so one read answers a permission
/// check and the tags it reaches. Every list of tag ids an admin sends (on role assignments, on
/// policies) is checked here: an id that is not a tag of the caller's tenant — another tenant's
/// included — is a 400 naming it.
/// </summary>
public sealed class RoleScopeTagService(IScaleUnitRouter router)
{
    public const string ODataType = "#microsoft.graph.roleScopeTag";

    public async Task<IReadOnlyList<RoleScopeTag>> ListAsync(string tenantId)
    {
        var snapshot = await (await GrainAsync(tenantId)).GetAsync();
        return [RoleScopeTag.Default, .. (snapshot.ScopeTags ?? []).OrderBy(t => int.Parse(t.Id, System.Globalization.CultureInfo.InvariantCulture))];
    }

    /// <exception cref="NotFoundException">No tag with this id in the tenant.</exception>
    public async Task<RoleScopeTag> GetAsync(string tenantId, string id) =>
        (await ListAsync(tenantId)).FirstOrDefault(t => t.Id == id) ?? throw new NotFoundException($"No roleScopeTag with id '{id}' exists in this tenant.");

    public async Task<RoleScopeTag> CreateAsync(string tenantId, string? displayName, string? description, AuditRecorder audit)
    {
        var name = CheckName(displayName) ?? throw new InvalidRequestException("displayName is required for a scope tag.", "displayName");
        InputLimits.Text(description, "description", InputLimits.MaxDescription);
        await RefuseDuplicateAsync(tenantId, name, exceptId: null);
        var tag = await (await GrainAsync(tenantId)).CreateRoleScopeTagAsync(name, description);
        audit.AddResource("RoleScopeTag", tag.Id, tag.DisplayName, null, ToGraph(tag));
        return tag;
    }

    public async Task UpdateAsync(string tenantId, string id, string? displayName, string? description, AuditRecorder audit)
    {
        var existing = await GetAsync(tenantId, id);
        RefuseBuiltIn(existing, "changed");
        var name = CheckName(displayName);
        InputLimits.Text(description, "description", InputLimits.MaxDescription);
        if (name is not null)
        {
            await RefuseDuplicateAsync(tenantId, name, exceptId: id);
        }

        var updated = existing with { DisplayName = name ?? existing.DisplayName, Description = description ?? existing.Description };
        if (!await (await GrainAsync(tenantId)).UpdateRoleScopeTagAsync(updated))
        {
            throw new NotFoundException($"No roleScopeTag with id '{id}' exists in this tenant.");
        }

        audit.AddResource("RoleScopeTag", id, updated.DisplayName, ToGraph(existing), ToGraph(updated));
    }

    public async Task DeleteAsync(string tenantId, string id, AuditRecorder audit)
    {
        var existing = await GetAsync(tenantId, id);
        RefuseBuiltIn(existing, "deleted");
        if (!await (await GrainAsync(tenantId)).DeleteRoleScopeTagAsync(id))
        {
            throw new NotFoundException($"No roleScopeTag with id '{id}' exists in this tenant.");
        }

        audit.AddResource("RoleScopeTag", id, existing.DisplayName, ToGraph(existing), null);
    }

    /// <summary>
    /// The tag ids as sent, checked against the tenant's tags; null stays null (not sent). An empty
    /// list means Default, as Intune stores it.
    /// </summary>
    /// <exception cref="InvalidRequestException">An id names no tag of this tenant.</exception>
    public async Task<IReadOnlyList<string>?> CheckIdsAsync(string tenantId, IReadOnlyList<string>? ids)
    {
        if (ids is null)
        {
            return null;
        }

        var known = (await ListAsync(tenantId)).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        if (ids.FirstOrDefault(i => !known.Contains(i)) is { } unknown)
        {
            throw new InvalidRequestException($"roleScopeTagIds names '{unknown}', which is not a scope tag of this tenant; list them at /beta/deviceManagement/roleScopeTags.", "roleScopeTagIds");
        }

        // Concrete lists: these are stored in grain state, whose JSON names the collection type.
        return ids.Count == 0 ? new List<string> { RoleScopeTag.DefaultId } : ids.Distinct(StringComparer.Ordinal).ToList();
    }

    public static JsonObject ToGraph(RoleScopeTag tag) => new()
    {
        ["@odata.type"] = ODataType,
        ["id"] = tag.Id,
        ["displayName"] = tag.DisplayName,
        ["description"] = tag.Description,
        ["isBuiltIn"] = tag.Id == RoleScopeTag.DefaultId,
    };

    private static string? CheckName(string? displayName)
    {
        InputLimits.Text(displayName, "displayName", InputLimits.MaxDisplayName);
        return string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim();
    }

    private static void RefuseBuiltIn(RoleScopeTag tag, string verb)
    {
        if (tag.Id == RoleScopeTag.DefaultId)
        {
            throw new ConflictException($"The built-in scope tag 'Default' cannot be {verb}.");
        }
    }

    private async Task RefuseDuplicateAsync(string tenantId, string name, string? exceptId)
    {
        if ((await ListAsync(tenantId)).FirstOrDefault(t => t.Id != exceptId && string.Equals(t.DisplayName, name, StringComparison.OrdinalIgnoreCase)) is { } clash)
        {
            throw new ConflictException($"A scope tag named '{clash.DisplayName}' already exists (id {clash.Id}).");
        }
    }

    private async Task<ITenantRbacGrain> GrainAsync(string tenantId) =>
        (await router.ForTenantAsync(tenantId)).GetGrain<ITenantRbacGrain>(tenantId);
}
