using System.Collections.Concurrent;
using Intune.Grains.Policies;

namespace Intune.Testing.InMemory;

/// <summary>Reports in memory: for grain unit tests.</summary>
public sealed class InMemoryPolicyReportStore : IPolicyReportStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, PolicyDeviceStatusRow>> _reports = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<PolicyDeviceStatusRow>> LoadAsync(string tenantId, string policyId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<PolicyDeviceStatusRow>>(Report(tenantId, policyId).Values.ToList());

    public Task SaveAsync(string tenantId, string policyId, IReadOnlyCollection<PolicyDeviceStatusRow> upserts, IReadOnlyCollection<string> removals, CancellationToken cancellationToken = default)
    {
        // Honours the token as the table store does, so tests see a write that was cancelled.
        cancellationToken.ThrowIfCancellationRequested();
        var report = Report(tenantId, policyId);
        foreach (var row in upserts)
        {
            report[row.DeviceId] = row;
        }

        foreach (var id in removals)
        {
            report.TryRemove(id, out _);
        }

        return Task.CompletedTask;
    }

    public Task DeleteAllAsync(string tenantId, string policyId, CancellationToken cancellationToken = default)
    {
        _reports.TryRemove(TablePolicyReportStore.PartitionKey(tenantId, policyId), out _);
        return Task.CompletedTask;
    }

    private ConcurrentDictionary<string, PolicyDeviceStatusRow> Report(string tenantId, string policyId) =>
        _reports.GetOrAdd(TablePolicyReportStore.PartitionKey(tenantId, policyId), _ => new(StringComparer.Ordinal));
}
