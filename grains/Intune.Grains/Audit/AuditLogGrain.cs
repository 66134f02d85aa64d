using Intune.Grains.Durability;

namespace Intune.Grains.Audit;

/// <summary>One month of a tenant's audit events; appends are persisted before they are acknowledged.</summary>
internal sealed class AuditLogGrain(
    [PersistentState("auditlog", StorageNames.Grains)] IPersistentState<AuditLogState> log) : Grain, IAuditLogGrain
{
    public async Task AppendAsync(AuditEvent auditEvent)
    {
        if (log.State.Events.Any(e => e.Id == auditEvent.Id))
        {
            return;
        }

        log.State.Events.Add(auditEvent);
        await log.WriteOrRollBackAsync(GrainContext, () => log.State.Events.Remove(auditEvent));
    }

    public Task<IReadOnlyList<AuditEvent>> ListAsync() =>
        Task.FromResult<IReadOnlyList<AuditEvent>>(log.State.Events.OrderByDescending(e => e.Id).ToList());
}

/// <summary>Stored format: add members with new ids only.</summary>
[GenerateSerializer, Alias("intune.AuditLogState")]
public sealed class AuditLogState
{
    [Id(0)] public List<AuditEvent> Events { get; set; } = [];
}
