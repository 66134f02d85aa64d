namespace Intune.Grains.Policies;

/// <summary>The durable record of a policy. Stored format: add members with new ids only.</summary>
[GenerateSerializer, Alias("intune.PolicyState")]
public sealed class PolicyState
{
    /// <summary>
    /// The latest <see cref="MaxVersionsKept"/> versions published, oldest first; each is immutable
    /// once written. Bounded so that a policy edited every day for years still fits its row.
    /// </summary>
    [Id(0)] public List<PolicyDefinition> Versions { get; set; } = [];
    [Id(1)] public List<PolicyAssignment> Assignments { get; set; } = [];
    // Ids 2 and 4 held target sets before they moved to member-set rows; never reuse them.
    /// <summary>
    /// Set in the same write that changes the targets and cleared once every device has the change,
    /// so a delivery cut short by a silo loss is finished by the next activation.
    /// </summary>
    [Id(3)] public bool DeliveryPending { get; set; }

    /// <summary>How many versions are kept at most; older ones are dropped when a new one is published.</summary>
    public const int MaxVersionsKept = 10;

    /// <summary>
    /// Characters of setting values one version may hold (<see cref="SettingCharacters"/>); with
    /// <see cref="HistoryBudgetCharacters"/> it keeps the row under Azure Table's 1 MB entity limit.
    /// </summary>
    public const int MaxSettingCharacters = 256 * 1024;

    /// <summary>Older versions are kept only while all kept versions hold at most this many characters.</summary>
    public const int HistoryBudgetCharacters = 512 * 1024;

    /// <summary>
    /// The versions to store when <paramref name="next"/> is published: it, and the latest earlier
    /// ones that fit both <see cref="MaxVersionsKept"/> and <see cref="HistoryBudgetCharacters"/>.
    /// </summary>
    public static List<PolicyDefinition> WithVersion(IReadOnlyList<PolicyDefinition> versions, PolicyDefinition next)
    {
        var kept = new List<PolicyDefinition> { next };
        var characters = SettingCharacters(next);
        for (var i = versions.Count - 1; i >= 0 && kept.Count < MaxVersionsKept; i--)
        {
            characters += SettingCharacters(versions[i]);
            if (characters > HistoryBudgetCharacters)
            {
                break;
            }

            kept.Add(versions[i]);
        }

        kept.Reverse();
        return kept;
    }

    /// <summary>What a version's settings weigh in its row: names and values.</summary>
    public static int SettingCharacters(PolicyDefinition definition) =>
        definition.Settings.Sum(s => s.Key.Length + s.Value.Length) + definition.DisplayName.Length + (definition.Description?.Length ?? 0);

    public PolicyDefinition? Current => Versions.Count == 0 ? null : Versions[^1];
}
