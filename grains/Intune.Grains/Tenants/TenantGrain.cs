using System.Security.Cryptography;
using System.Text;
using Intune.Grains.Devices;
using Intune.Grains.Durability;
using Intune.Grains.Errors;
using Intune.Grains.Groups;

namespace Intune.Grains.Tenants;

/// <summary>
/// A tenant: identity, enrollment tokens and enrollment admission. Enrollment admission is the
/// only device-facing call, and it runs once per device, not per check-in.
/// </summary>
internal sealed partial class TenantGrain(
    [PersistentState("tenant", StorageNames.Grains)] IPersistentState<TenantState> tenant,
    [PersistentState("enrollmentTokens", StorageNames.Grains)] IPersistentState<EnrollmentTokensState> tokens,
    [PersistentState("enrollmentRestrictions", StorageNames.Grains)] IPersistentState<EnrollmentRestrictionsState> restrictions,
    [PersistentState("retireRequests", StorageNames.Grains)] IPersistentState<RetireRequestsState> retireRequests,
    IMemberSetStore memberSets,
    TimeProvider time) : Grain, ITenantGrain
{
    // The tenant is several rows (TenantLimits): identity and assignment facts here, tokens,
    // restrictions and retire requests in rows of their own, groups as member-set rows. Only the
    // token row is written by interleaving calls (every admission counts a use), so only it needs
    // group commit; measured 2026-11-26 before group commit: one write per admission held gateway
    // enrollment at ~16/s whatever the load.
    private GroupCommit<EnrollmentTokensState> _tokenRow = null!;

    /// <summary>
    /// Uses of a token without a maximum are a count for the admin, not a limit: they are kept in
    /// memory and written at most this often (and on deactivation), so enrolling with such a token
    /// writes nothing to the tenant. A crash forgets at most this long's count; tokens with a
    /// maximum are written before each admission, so they are never used more than allowed.
    /// </summary>
    internal static readonly TimeSpan UnlimitedUsesWriteInterval = TimeSpan.FromSeconds(30);

    private IGrainTimer? _unlimitedUsesWrite;

    /// <summary>Whether this activation has made sure the tenant's validity sweep is scheduled.</summary>
    private bool _sweepScheduled;

    private TenantState State => tenant.State;

    private List<EnrollmentTokenRecord> Tokens => tokens.State.Tokens;

    private string TenantId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _tokenRow = new GroupCommit<EnrollmentTokensState>(tokens, GrainContext);
        if (State.HasLegacyRows)
        {
            await MoveLegacyRowsAsync(cancellationToken);
        }

        if (State.Exists)
        {
            await EnsureSweepScheduledAsync();
        }
    }

    /// <summary>
    /// The tenant's devices rely on its validity sweep rather than a reminder each. A failure to
    /// register it must not fail the tenant: the next admission (or activation) tries again.
    /// </summary>
    private async Task EnsureSweepScheduledAsync()
    {
        try
        {
            await GrainFactory.GetGrain<Devices.IComplianceSweepGrain>(TenantId).EnsureScheduledAsync();
            _sweepScheduled = true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _sweepScheduled = false;
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_unlimitedUsesWrite is not null)
        {
            await _tokenRow.SaveAsync();
        }
    }

    /// <summary>
    /// Moves what tenants stored in their one row before it was split into the rows of their own,
    /// each written before the tenant row drops it, so a failure between leaves it in both, never
    /// in neither.
    /// </summary>
    private async Task MoveLegacyRowsAsync(CancellationToken cancellationToken)
    {
        if (State.EnrollmentTokens.Count > 0)
        {
            Tokens.AddRange(State.EnrollmentTokens.Where(legacy => !Tokens.Any(t => t.TokenId == legacy.TokenId)));
            await tokens.WriteStateAsync(cancellationToken);
        }

        if (State.EnrollmentConfigurations.Count > 0 && restrictions.State.Configurations.Count == 0)
        {
            restrictions.State.Configurations = State.EnrollmentConfigurations;
            await restrictions.WriteStateAsync(cancellationToken);
        }

        if (State.RetireRequests.Count > 0)
        {
            foreach (var (deviceId, request) in State.RetireRequests)
            {
                retireRequests.State.Requests.TryAdd(deviceId, request);
            }

            await retireRequests.WriteStateAsync(cancellationToken);
        }

        if (State.Groups.Count > 0)
        {
            await memberSets.SaveAsync(TenantId, MemberSets.TenantGroups, State.Groups.Keys, [], cancellationToken);
        }

        State.EnrollmentTokens = [];
        State.EnrollmentConfigurations = [];
        State.RetireRequests = [];
        State.Groups = [];
        await tenant.WriteStateAsync(cancellationToken);
    }

    public async Task<TenantInfo> CreateAsync(string displayName, string region)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(displayName);
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        if (!State.Exists)
        {
            State.DisplayName = displayName;
            State.Region = region;
            State.CreatedDateTime = time.GetUtcNow();
            await SaveAsync();
            await EnsureSweepScheduledAsync();
        }

        return Info;
    }

    public Task<TenantInfo?> GetAsync() => Task.FromResult(State.Exists ? Info : null);

    public async Task<EnrollmentTokenInfo> CreateEnrollmentTokenAsync(TimeSpan lifetime, int? maximumUses)
    {
        EnsureExists();
        if (lifetime <= TimeSpan.Zero || lifetime > TimeSpan.FromDays(365))
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), "An enrollment token lives between a second and 365 days.");
        }

        if (maximumUses is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maximumUses), "Maximum uses, when set, must be at least 1.");
        }

        var now = time.GetUtcNow();
        if (Tokens.Count(t => IsUsable(t, now)) >= TenantLimits.MaxUsableEnrollmentTokens)
        {
            throw new InvalidRequestException(
                $"A tenant may hold at most {TenantLimits.MaxUsableEnrollmentTokens} enrollment tokens that have neither expired nor been revoked; revoke one first.");
        }

        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var record = new EnrollmentTokenRecord
        {
            TokenId = Guid.NewGuid().ToString(),
            SecretHash = Hash(secret),
            ExpiresDateTime = now + lifetime,
            MaximumUses = maximumUses,
        };
        // Spent tokens are kept for listing, the most recently expiring first, up to a bound.
        var dropped = Tokens.Where(t => !IsUsable(t, now)).OrderByDescending(t => t.ExpiresDateTime).Skip(TenantLimits.SpentEnrollmentTokensKept).ToHashSet();
        tokens.State.Tokens = [.. Tokens.Where(t => !dropped.Contains(t)), record];
        await _tokenRow.SaveAsync();
        return ToInfo(record, EnrollmentTokenFormat.Compose(TenantId, secret));
    }

    public Task<IReadOnlyList<EnrollmentTokenInfo>> ListEnrollmentTokensAsync() =>
        Task.FromResult<IReadOnlyList<EnrollmentTokenInfo>>(Tokens.Select(t => ToInfo(t, token: null)).ToList());

    public async Task AdmitEnrollmentAsync(string token, EnrollmentCandidate candidate)
    {
        var (record, _) = Evaluate(token, candidate);
        record.Uses++;
        await SaveUsesAsync(record);
        if (!_sweepScheduled)
        {
            await EnsureSweepScheduledAsync();
        }
    }

    public async Task ReturnEnrollmentTokenUseAsync(string token)
    {
        if (FindToken(token) is { Uses: > 0 } record)
        {
            record.Uses--;
            await SaveUsesAsync(record);
        }
    }

    private Task SaveUsesAsync(EnrollmentTokenRecord record)
    {
        if (record.MaximumUses is not null)
        {
            return _tokenRow.SaveAsync();
        }

        _unlimitedUsesWrite ??= this.RegisterGrainTimer(
            async _ =>
            {
                // Disposing this one-shot timer cancels its token, so the write does not take it.
                _unlimitedUsesWrite?.Dispose();
                _unlimitedUsesWrite = null;
                await _tokenRow.SaveAsync();
            },
            new GrainTimerCreationOptions(UnlimitedUsesWriteInterval, Timeout.InfiniteTimeSpan) { Interleave = true });
        return Task.CompletedTask;
    }

    /// <summary>Stores the tenant row; written by non-interleaving calls only, so writes never overlap.</summary>
    private Task SaveAsync() => tenant.WriteOrRollBackAsync(GrainContext);

    private static bool IsUsable(EnrollmentTokenRecord token, DateTimeOffset now) => !token.Revoked && token.ExpiresDateTime > now;

    public Task<EnrollmentAdmission> EvaluateEnrollmentAsync(string token, EnrollmentCandidate candidate) =>
        Task.FromResult(Evaluate(token, candidate).Admission);

    public async Task<bool> RevokeEnrollmentTokenAsync(string tokenId)
    {
        var record = Tokens.FirstOrDefault(t => t.TokenId == tokenId);
        if (record is null)
        {
            return false;
        }

        if (!record.Revoked)
        {
            record.Revoked = true;
            await _tokenRow.SaveAsync();
        }

        return true;
    }

    /// <summary>Every enrollment check, in the order a refusal is most useful to the user; writes nothing.</summary>
    private (EnrollmentTokenRecord Token, EnrollmentAdmission Admission) Evaluate(string token, EnrollmentCandidate candidate)
    {
        if (!State.Exists)
        {
            throw new EnrollmentRefusedException(EnrollmentRefusal.TenantNotFound, "The enrollment token names a tenant that does not exist.");
        }

        if (!EnrollmentTokenFormat.TryGetTenantId(token, out var tokenTenant) || tokenTenant != TenantId)
        {
            throw new EnrollmentRefusedException(EnrollmentRefusal.InvalidToken, "The enrollment token is not valid.");
        }

        var record = FindToken(token)
            ?? throw new EnrollmentRefusedException(EnrollmentRefusal.InvalidToken, "The enrollment token is not valid.");
        if (record.Revoked)
        {
            throw new EnrollmentRefusedException(EnrollmentRefusal.TokenRevoked, "The enrollment token was revoked by an administrator.");
        }

        if (record.ExpiresDateTime <= time.GetUtcNow())
        {
            throw new EnrollmentRefusedException(EnrollmentRefusal.TokenExpired, $"The enrollment token expired at {record.ExpiresDateTime:u}.");
        }

        if (record.MaximumUses is { } max && record.Uses >= max)
        {
            throw new EnrollmentRefusedException(EnrollmentRefusal.TokenExhausted, $"The enrollment token has been used its maximum of {max} times.");
        }

        if (candidate.Platform == DevicePlatform.Unknown)
        {
            throw new EnrollmentRefusedException(EnrollmentRefusal.InvalidRequest, "The device must state its platform.");
        }

        CheckPlatformRestrictions(candidate);
        return (record, new EnrollmentAdmission(Effective(EnrollmentConfigurationKind.Limit, candidate).Limit));
    }

    /// <summary>The stored token whose secret hashes to the token's; compared in constant time.</summary>
    private EnrollmentTokenRecord? FindToken(string token)
    {
        if (!EnrollmentTokenFormat.TryGetTenantId(token, out var tokenTenant) || tokenTenant != TenantId)
        {
            return null;
        }

        var hash = Encoding.ASCII.GetBytes(Hash(token[(tokenTenant.Length + 1)..]));
        return Tokens.FirstOrDefault(t => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(t.SecretHash), hash));
    }

    private TenantInfo Info => new(TenantId, State.DisplayName!, State.Region!, State.CreatedDateTime);

    private void EnsureExists()
    {
        if (!State.Exists)
        {
            throw new InvalidOperationException($"Tenant {TenantId} does not exist.");
        }
    }

    private static EnrollmentTokenInfo ToInfo(EnrollmentTokenRecord record, string? token) =>
        new(record.TokenId, token, record.ExpiresDateTime, record.MaximumUses, record.Uses, record.Revoked);

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
