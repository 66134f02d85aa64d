using Intune.Grains.Errors;

namespace Intune.Grains.Durability;

/// <summary>
/// A grain acknowledges a change only once storage holds it. When the write fails, the change is
/// taken back out of memory (the caller's <c>rollBack</c>, for readers that interleave), the
/// activation is dropped so the next call reloads exactly what storage holds (which also settles a
/// write whose answer was lost), and the caller gets <see cref="UnavailableException"/>: 503 or
/// gRPC <c>Unavailable</c>, "retry", never a 500 for a change that lives on in memory and would be
/// written by the next unrelated change.
/// </summary>
internal static class WriteFirst
{
    /// <summary>How long callers are told to wait: storage that failed a write is usually back within seconds.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>Writes the state; on failure rolls the change back and refuses with Unavailable.</summary>
    public static async Task WriteOrRollBackAsync<TState>(this IPersistentState<TState> state, IGrainContext grain, Action? rollBack = null)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e) when (e is not RequestRefusedException)
        {
            throw Failed(grain, e, rollBack);
        }
    }

    /// <summary>Clears the stored state; on failure the state stays as it was and the caller gets Unavailable.</summary>
    public static async Task ClearOrRollBackAsync<TState>(this IPersistentState<TState> state, IGrainContext grain)
    {
        try
        {
            await state.ClearStateAsync();
        }
        catch (Exception e) when (e is not RequestRefusedException)
        {
            throw Failed(grain, e, rollBack: null);
        }
    }

    /// <summary>
    /// A write or read of rows outside the grain's state (member sets, catalogs) that memory does
    /// not depend on: a storage failure is Unavailable, not an unexpected error.
    /// </summary>
    public static async Task RowsAsync(Task rows)
    {
        try
        {
            await rows;
        }
        catch (Exception e) when (IsStorageFailure(e))
        {
            throw new UnavailableException("Storage did not answer, so nothing was changed; retry in a few seconds.", RetryAfter);
        }
    }

    /// <inheritdoc cref="RowsAsync(Task)"/>
    public static async Task<T> RowsAsync<T>(Task<T> rows)
    {
        try
        {
            return await rows;
        }
        catch (Exception e) when (IsStorageFailure(e))
        {
            throw new UnavailableException("Storage did not answer; retry in a few seconds.", RetryAfter);
        }
    }

    /// <summary>What the Azure SDK throws when storage refuses, fails or cannot be reached (after its retries).</summary>
    private static bool IsStorageFailure(Exception e) =>
        e is Azure.RequestFailedException or IOException or TimeoutException
        || (e is AggregateException aggregate && aggregate.InnerExceptions.All(IsStorageFailure));

    /// <summary>Rolls back, drops the activation and returns the refusal to throw.</summary>
    public static UnavailableException Failed(IGrainContext grain, Exception cause, Action? rollBack)
    {
        rollBack?.Invoke();
        // No exception in the reason: Orleans would answer pending calls with it instead of the refusal.
        grain.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, $"A state write failed ({cause.GetType().Name}); the next activation reloads what storage holds."));
        return new UnavailableException("The change could not be saved, so it was not made; retry in a few seconds.", RetryAfter);
    }
}
