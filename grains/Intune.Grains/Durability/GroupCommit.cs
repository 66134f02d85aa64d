namespace Intune.Grains.Durability;

/// <summary>
/// Writes one grain-state row with group commit, for grains whose calls interleave: callers that
/// arrive while a write is in flight wait for it and then share one write that covers all their
/// changes. Writes of the row never overlap, so the provider's ETag check holds. A failed write
/// fails every caller whose change it carried (Unavailable) and drops the activation
/// (<see cref="WriteFirst"/>), so none of those changes survives in memory.
/// </summary>
internal sealed class GroupCommit<TState>(IPersistentState<TState> state, IGrainContext grain)
{
    private long _changesSaved;
    private long _changesMade;
    private Task _write = Task.CompletedTask;

    public TState State => state.State;

    /// <summary>Returns once storage holds every change made to <see cref="State"/> before the call.</summary>
    public async Task SaveAsync()
    {
        var change = ++_changesMade;
        while (_changesSaved < change)
        {
            if (_write.IsCompleted)
            {
                _write = WriteCoveringAsync(_changesMade);
            }

            await _write;
        }
    }

    private async Task WriteCoveringAsync(long upTo)
    {
        await state.WriteOrRollBackAsync(grain);
        _changesSaved = Math.Max(_changesSaved, upTo);
    }
}
