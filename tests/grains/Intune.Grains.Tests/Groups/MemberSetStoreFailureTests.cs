using Azure.Data.Tables;
using Intune.Grains.Errors;
using Intune.Grains.Groups;

namespace Intune.Grains.Tests.Groups;

/// <summary>
/// Member-set storage that cannot be reached is a retry for the caller (Unavailable: REST 503,
/// gRPC <c>Unavailable</c>), not an unexpected error; the grains change memory only after it answers.
/// </summary>
public sealed class MemberSetStoreFailureTests
{
    [Fact]
    public async Task StorageThatDoesNotAnswer_IsUnavailableForReadsAndWrites()
    {
        // Port 1 on loopback: nothing listens, so every request fails at once; no retries.
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        var table = new TableClient(new Uri("http://127.0.0.1:1/devstoreaccount1"), "members",
            new TableSharedKeyCredential("devstoreaccount1", Convert.ToBase64String(new byte[64])), options);
        var store = new TableMemberSetStore(table);

        var load = await Assert.ThrowsAsync<UnavailableException>(() => store.LoadAsync("tenant", "groups"));
        var save = await Assert.ThrowsAsync<UnavailableException>(() => store.SaveAsync("tenant", "groups", ["g1"], []));

        Assert.True(load.RetryAfter > TimeSpan.Zero);
        Assert.True(save.RetryAfter > TimeSpan.Zero);
    }
}
