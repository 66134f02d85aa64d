using Intune.Grains.Certificates;

namespace Intune.Testing.InMemory;

/// <summary>Keeps the CA in memory: for grain unit tests.</summary>
public sealed class InMemoryCertificateAuthorityStore : ICertificateAuthorityStore
{
    private byte[]? _stored;

    public Task<byte[]?> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(Volatile.Read(ref _stored));

    public Task<bool> TryCreateAsync(byte[] pkcs12, CancellationToken cancellationToken) =>
        Task.FromResult(Interlocked.CompareExchange(ref _stored, pkcs12, null) is null);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _trusted = new(StringComparer.Ordinal);

    /// <summary>Trusts a peer unit's CA certificate (what a tenant move does in Blob).</summary>
    public void Trust(string scaleUnitId, byte[] certificate) => _trusted[scaleUnitId] = certificate;

    public Task<IReadOnlyList<TrustedAuthority>> LoadTrustedAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TrustedAuthority>>(_trusted.Select(t => new TrustedAuthority(t.Key, t.Value)).ToList());
}
