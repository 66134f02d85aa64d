namespace Intune.Grains.Delivery;

/// <summary>
/// How many Device grains of this silo write a held-back delivered set at once. A nudge wave
/// delivers to tens of thousands of devices within seconds, and their timers come due within
/// the same 15 s: unbounded, each write opened its own connection to storage, and at 18,587
/// devices the machine ran out of file descriptors (full benchmark, 2026-12-04). A grain that
/// finds the gate full tries again a moment later instead of waiting inside its turn, so its
/// check-ins are not held up by other devices' writes.
/// </summary>
public sealed class WriteBehindGate(int concurrency = WriteBehindGate.DefaultConcurrency)
{
    public const int DefaultConcurrency = 32;

    private readonly SemaphoreSlim _slots = new(concurrency, concurrency);
    private long _held;

    /// <summary>Device states of this silo held back now (written within seconds, or at deactivation).</summary>
    public long HeldBack => Interlocked.Read(ref _held);

    /// <summary>A Device grain holds a state write back.</summary>
    public void Held() => Interlocked.Increment(ref _held);

    /// <summary>A held-back state was written, or is no longer held.</summary>
    public void Written() => Interlocked.Decrement(ref _held);

    /// <summary>Takes a slot if one is free now.</summary>
    public bool TryEnter() => _slots.Wait(0);

    /// <summary>Waits for a slot (deactivation, which must write before the grain goes).</summary>
    public Task EnterAsync(CancellationToken cancellationToken) => _slots.WaitAsync(cancellationToken);

    public void Exit() => _slots.Release();
}
