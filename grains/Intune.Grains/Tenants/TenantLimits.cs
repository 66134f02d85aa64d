namespace Intune.Grains.Tenants;

/// <summary>
/// How much of each kind a tenant holds. Each kind lives in a grain-state row of its own (one Azure
/// Table entity, at most ~960 KB of serialized state), and each limit is chosen so that its row
/// stays under that at the longest names the admin API accepts: <c>TenantRowBoundsTests</c>
/// serializes every row at its limits with the silo's storage serializer. Groups are not counted
/// here: the tenant's group list is one member-set row per group.
/// </summary>
public static class TenantLimits
{
    /// <summary>Tokens that can still enroll (neither expired nor revoked).</summary>
    public const int MaxUsableEnrollmentTokens = 1_000;

    /// <summary>Expired and revoked tokens kept for listing; older ones are dropped when a token is created.</summary>
    public const int SpentEnrollmentTokensKept = 100;

    /// <summary>Enrollment restrictions an admin creates (the two built-in defaults not counted).</summary>
    public const int MaxEnrollmentConfigurations = 100;

    /// <summary>Assignment targets of one enrollment restriction.</summary>
    public const int MaxEnrollmentConfigurationAssignments = 25;

    /// <summary>Retire and wipe requests waiting for an admin's decision.</summary>
    public const int MaxPendingRetireRequests = 1_000;

    /// <summary>Decided retire requests kept for listing; older decisions are dropped.</summary>
    public const int DecidedRetireRequestsKept = 200;

    /// <summary>Policies, profiles, apps and app configurations in the tenant's catalog together.</summary>
    public const int MaxCatalogEntries = 1_000;

    /// <summary>Assignment targets across the catalog (every entry's assignments together).</summary>
    public const int MaxAssignmentTargets = 2_000;
}
