using Intune.Grains.Delivery;
using Intune.Grains.Policies;

namespace Intune.Grains.Tests.Policies;

/// <summary>Whom an assignment reaches, on the silo cache's compact membership, without a cluster.</summary>
public sealed class DeliveryTargetingTests
{
    private static readonly IReadOnlyDictionary<string, GroupMembership> Groups = new Dictionary<string, GroupMembership>
    {
        ["kiosks"] = new(1, CompactMemberSet.From(["d1", "d2", "d3"]), CompactMemberSet.Empty),
        ["broken"] = new(1, CompactMemberSet.From(["d2"]), CompactMemberSet.Empty),
        ["sales"] = new(1, CompactMemberSet.Empty, CompactMemberSet.From(["adele@contoso.example"])),
    };

    [Theory]
    [InlineData("d1", null, true)]
    [InlineData("d2", null, false)]
    [InlineData("d9", null, false)]
    [InlineData("d9", "Adele@Contoso.example", true)]
    // Excluded as a device, included as a user: exclusion wins only within its kind.
    [InlineData("d2", "adele@contoso.example", true)]
    public void Reaches_IncludeExcludeAndUserGroups(string deviceId, string? upn, bool expected)
    {
        AssignmentTarget[] assignments =
        [
            new(AssignmentTargetKind.Group, "kiosks"),
            new(AssignmentTargetKind.ExclusionGroup, "broken"),
            new(AssignmentTargetKind.Group, "sales"),
        ];

        Assert.Equal(expected, DeliveryTargeting.Reaches(assignments, Groups, deviceId, upn is null ? [] : [upn]));
    }

    [Fact]
    public void Reaches_UnknownGroup_ReachesNobody() =>
        Assert.False(DeliveryTargeting.Reaches([new AssignmentTarget(AssignmentTargetKind.Group, "gone")], Groups, "d1", []));

    [Fact]
    public void Reaches_SharedDevice_ReachedThroughAnyOfItsUsers() =>
        Assert.True(DeliveryTargeting.Reaches([new AssignmentTarget(AssignmentTargetKind.Group, "sales")], Groups, "d9", ["kiosk-operator@contoso.example", "ADELE@contoso.example"]));

    [Fact]
    public void CountDeviceGroupTargets_IncludedMinusExcluded() =>
        Assert.Equal(2, DeliveryTargeting.CountDeviceGroupTargets([new(AssignmentTargetKind.Group, "kiosks"), new(AssignmentTargetKind.ExclusionGroup, "broken")], Groups));

    [Fact]
    public void CompactMemberSet_100000Members_16BytesEachAndExact()
    {
        var ids = Enumerable.Range(0, 100_000).Select(i => $"device-{i}").ToList();

        var set = CompactMemberSet.From(ids);

        Assert.Equal(1_600_000, set.Bytes);
        Assert.All(ids.Take(1000), id => Assert.True(set.Contains(id)));
        Assert.False(set.Contains("device-100000"));
    }
}
