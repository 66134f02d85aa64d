namespace Intune.Grains.Apps;

/// <summary>The durable record of one app. Stored format: add members with new ids only.</summary>
[GenerateSerializer, Alias("intune.MobileAppState")]
public sealed class MobileAppState
{
    [Id(0)] public MobileAppDefinition? App { get; set; }
    [Id(1)] public List<AppContentVersion> ContentVersions { get; set; } = [];
    [Id(2)] public List<MobileAppAssignment> Assignments { get; set; } = [];
}
