namespace Intune.Grains.Durability;

/// <summary>
/// Marks the call that activates a grain whose id the service has just minted (a new GUID), so
/// storage cannot hold anything for it and the grain-state read on activation is skipped: one
/// storage request less per enrollment. The mark travels in the request context, which Orleans
/// imports before an activation's lifecycle runs (and so before its state is read); the storage
/// decorator of the silo (<c>GrainRowKeyedStorage</c>) honours it. It names one grain, so the
/// calls that grain makes in turn activate others as usual. Should the mark ever be wrong, the
/// first write still fails rather than overwrites: without a read there is no ETag, and the
/// provider inserts.
/// </summary>
public static class NewGrain
{
    private const string ContextKey = "intune.new-grain";

    /// <summary>Marks calls made in the returned scope as activating <paramref name="grain"/> for the first time ever.</summary>
    public static Scope Mark(GrainId grain)
    {
        RequestContext.Set(ContextKey, grain.ToString());
        return default;
    }

    /// <summary>Whether the current call activates <paramref name="grain"/> for the first time ever.</summary>
    public static bool IsMarked(GrainId grain) =>
        RequestContext.Get(ContextKey) is string marked && string.Equals(marked, grain.ToString(), StringComparison.Ordinal);

    public readonly struct Scope : IDisposable
    {
        public void Dispose() => RequestContext.Remove(ContextKey);
    }
}
