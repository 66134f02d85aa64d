using Intune.Grains.Delivery;
using Intune.Grains.Durability;
using Intune.Grains.Errors;
using Intune.Grains.Tenants;
using Microsoft.Extensions.Logging;

namespace Intune.Grains.Policies;

/// <summary>
/// A compliance policy or configuration profile (a deliverable; see docs/architecture.md). This
/// part is the policy API: versions and validation. Assignments are in PolicyGrain.Targeting.cs,
/// the report in PolicyGrain.Reporting.cs. No call here writes or calls a device: every change
/// is a new fact in the tenant's assignment record, which devices pick up at check-in.
/// </summary>
internal sealed partial class PolicyGrain(
    [PersistentState("policy", StorageNames.Grains)] IPersistentState<PolicyState> policy,
    IPolicyReportStore reportStore,
    DeliveryCache deliveries,
    TimeProvider time,
    ILogger<PolicyGrain> logger) : Grain, IPolicyGrain
{
    private string TenantId => GrainKeys.Split(this.GetPrimaryKeyString()).TenantId;

    private string PolicyId => GrainKeys.Split(this.GetPrimaryKeyString()).Id;

    private PolicyDefinition Current => policy.State.Current ?? throw new NotFoundException($"No policy with id '{PolicyId}' exists in this tenant.");

    private ITenantComplianceGrain Tenant => GrainFactory.GetGrain<ITenantComplianceGrain>(TenantId);

    public override Task OnActivateAsync(CancellationToken cancellationToken) => LoadReportAsync(cancellationToken);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirtyRows.Count > 0)
        {
            await WriteReportAsync(cancellationToken);
        }
    }

    public async Task<PolicyDefinition> CreateAsync(PolicyDefinition draft)
    {
        if (policy.State.Current is not null)
        {
            throw new InvalidRequestException($"A policy with id '{PolicyId}' already exists.");
        }

        Validate(draft, creating: true);
        var now = time.GetUtcNow();
        var created = draft with { Id = PolicyId, Version = 1, CreatedDateTime = now, LastModifiedDateTime = now };
        await Tenant.EnsureCatalogHasRoomAsync(PolicyId, 0);
        await PublishVersionAsync(created);
        await Tenant.UpsertPolicyAsync(CatalogEntry(created));
        return created;
    }

    public async Task<PolicyDefinition> UpdateAsync(PolicyUpdate update)
    {
        var current = Current;
        var settings = current.Settings.ToDictionary(StringComparer.Ordinal);
        foreach (var (name, value) in update.Settings)
        {
            if (value is null)
            {
                settings.Remove(name);
            }
            else
            {
                settings[name] = value;
            }
        }

        var next = current with
        {
            DisplayName = update.DisplayName ?? current.DisplayName,
            Description = update.Description ?? current.Description,
            Settings = settings,
            ScheduledActions = update.ScheduledActions ?? current.ScheduledActions,
            RoleScopeTagIds = update.RoleScopeTagIds ?? current.RoleScopeTagIds,
            Version = current.Version + 1,
            LastModifiedDateTime = time.GetUtcNow(),
        };
        Validate(next, creating: update.ScheduledActions is not null);
        await PublishVersionAsync(next);
        // The new version is a tenant fact: assigned devices pick it up at check-in.
        await Tenant.UpsertPolicyAsync(CatalogEntry(next));
        return next;
    }

    public Task<PolicyDefinition?> GetAsync() => Task.FromResult(policy.State.Current);

    /// <summary>
    /// Stores the new version with the history that fits (<see cref="PolicyState.WithVersion"/>);
    /// a failed write leaves the policy as it was and answers Unavailable.
    /// </summary>
    private async Task PublishVersionAsync(PolicyDefinition version)
    {
        var before = policy.State.Versions;
        policy.State.Versions = PolicyState.WithVersion(before, version);
        await policy.WriteOrRollBackAsync(GrainContext, () => policy.State.Versions = before);
    }

    /// <summary>Out of the tenant's facts first: devices drop the policy at their next check-in, and no report row outlives the policy.</summary>
    public async Task DeleteAsync()
    {
        _ = Current;
        await Tenant.RemovePolicyAsync(PolicyId);
        await SetGroupTargetingAsync(GroupIds(policy.State.Assignments), targets: false);
        await policy.ClearOrRollBackAsync(GrainContext);
        await DeleteReportAsync();
        DeactivateOnIdle();
    }

    private PolicyCatalogEntry CatalogEntry(PolicyDefinition definition) =>
        new(PolicyId, definition.Kind, definition.ODataType, definition.Version, policy.State.Assignments.Count > 0, policy.State.Assignments.Select(a => a.Target).ToList());

    internal static void Validate(PolicyDefinition definition, bool creating)
    {
        var schema = PolicySchemas.Find(definition.ODataType)
            ?? throw new InvalidRequestException($"'{definition.ODataType}' is not a supported policy type.");
        if (schema.Kind != definition.Kind)
        {
            throw new InvalidRequestException($"'{definition.ODataType}' is not a {definition.Kind.ToString().ToLowerInvariant()} policy type.");
        }

        if (string.IsNullOrWhiteSpace(definition.DisplayName))
        {
            throw new InvalidRequestException("displayName is required.");
        }

        if (definition.Settings.Keys.FirstOrDefault(k => schema.Find(k) is null) is { } unknown)
        {
            throw new InvalidRequestException($"'{unknown}' is not a property of {definition.ODataType}.");
        }

        if (PolicyState.SettingCharacters(definition) is var characters and > PolicyState.MaxSettingCharacters)
        {
            throw new InvalidRequestException(
                $"The policy's name, description and settings hold {characters:N0} characters; at most {PolicyState.MaxSettingCharacters:N0} fit.");
        }

        if (definition.Kind != PolicyKind.Compliance)
        {
            return;
        }

        var actions = definition.ScheduledActions.SelectMany(r => r.Actions).ToList();
        if (creating && actions.Count(a => a.ActionType == ComplianceActionType.Block) != 1)
        {
            throw new InvalidRequestException("Compliance policy must have one and only one block scheduled action");
        }

        if (actions.FirstOrDefault(a => a.GracePeriodHours is < 0 or > 8760) is { } bad)
        {
            throw new InvalidRequestException($"gracePeriodHours must be between 0 and 8760; got {bad.GracePeriodHours}.");
        }
    }
}
