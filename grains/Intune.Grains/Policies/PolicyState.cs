namespace Intune.Grains.Policies;

/// <summary>The durable record of a policy. Stored format: add members with new ids only.</summary>
[GenerateSerializer, Alias("intune.PolicyState")]
public sealed class PolicyState
{
    /// <summary>Every version ever published, oldest first; each is immutable once written.</summary>
    [Id(0)] public List<PolicyDefinition> Versions { get; set; } = [];
    [Id(1)] public List<PolicyAssignment> Assignments { get; set; } = [];
    /// <summary>
    /// Legacy: the targeted devices now live in <see cref="Groups.IMemberSetStore"/> rows (a set of
    /// 100,000 ids outgrows one 1 MB grain-state entity); read once on activation, then cleared.
    /// </summary>
    [Id(2)] public HashSet<string> TargetedDevices { get; set; } = [];
    /// <summary>
    /// Set in the same write that changes the targets and cleared once every device has the change,
    /// so a delivery cut short by a silo loss is finished by the next activation.
    /// </summary>
    [Id(3)] public bool DeliveryPending { get; set; }
    /// <summary>Legacy, as <see cref="TargetedDevices"/>: the devices a pending delivery still had to retract from.</summary>
    [Id(4)] public HashSet<string> PendingRetractions { get; set; } = [];

    public PolicyDefinition? Current => Versions.Count == 0 ? null : Versions[^1];
}

/// <summary>
/// The report of a policy: one row per device, kept from the devices' transitions. Written
/// coalesced (see <see cref="PolicyGrain"/>): the devices hold the truth and re-report it.
/// </summary>
[GenerateSerializer, Alias("intune.PolicyReportState")]
public sealed class PolicyReportState
{
    [Id(0)] public Dictionary<string, PolicyDeviceStatusRow> Devices { get; set; } = [];
}
