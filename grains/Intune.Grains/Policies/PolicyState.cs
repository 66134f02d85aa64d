namespace Intune.Grains.Policies;

/// <summary>The durable record of a policy. Stored format: add members with new ids only.</summary>
[GenerateSerializer, Alias("intune.PolicyState")]
public sealed class PolicyState
{
    /// <summary>Every version ever published, oldest first; each is immutable once written.</summary>
    [Id(0)] public List<PolicyDefinition> Versions { get; set; } = [];
    [Id(1)] public List<PolicyAssignment> Assignments { get; set; } = [];
    // Ids 2 and 4 held target sets before they moved to member-set rows; never reuse them.
    /// <summary>
    /// Set in the same write that changes the targets and cleared once every device has the change,
    /// so a delivery cut short by a silo loss is finished by the next activation.
    /// </summary>
    [Id(3)] public bool DeliveryPending { get; set; }

    public PolicyDefinition? Current => Versions.Count == 0 ? null : Versions[^1];
}
