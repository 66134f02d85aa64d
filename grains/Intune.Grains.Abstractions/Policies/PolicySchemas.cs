using Intune.Grains.Devices;

namespace Intune.Grains.Policies;

public enum SettingType
{
    Boolean,
    Int32,
    String,
    Enum,
    /// <summary>A complex or collection value, kept and delivered as its JSON text.</summary>
    Json,
}

/// <summary>One property of a policy type, as Graph's v1.0 metadata declares it.</summary>
public sealed record SettingSchema(string Name, SettingType Type, bool Nullable, IReadOnlyList<string>? EnumValues);

/// <summary>A policy type: its <c>@odata.type</c> name, kind, the platforms it applies to and its settings.</summary>
public sealed record PolicySchema(string ODataType, PolicyKind Kind, IReadOnlyList<DevicePlatform> Platforms, IReadOnlyList<SettingSchema> Settings)
{
    private readonly Dictionary<string, SettingSchema> _byName = Settings.ToDictionary(s => s.Name, StringComparer.Ordinal);

    public SettingSchema? Find(string name) => _byName.GetValueOrDefault(name);

    public bool AppliesTo(DevicePlatform platform) => Platforms.Contains(platform);
}

/// <summary>The policy types this service serves (docs/architecture.md §9), generated from the schema extract.</summary>
public static partial class PolicySchemas
{
    public const string ODataNamespace = "#microsoft.graph.";

    public static readonly IReadOnlyList<PolicySchema> All = Generated();

    private static readonly Dictionary<string, PolicySchema> ByType = All.ToDictionary(s => s.ODataType, StringComparer.Ordinal);

    /// <summary>The schema for a type name, with or without the <c>#microsoft.graph.</c> prefix.</summary>
    public static PolicySchema? Find(string? odataType)
    {
        if (string.IsNullOrEmpty(odataType))
        {
            return null;
        }

        var name = odataType.StartsWith(ODataNamespace, StringComparison.Ordinal) ? odataType[ODataNamespace.Length..] : odataType;
        return ByType.GetValueOrDefault(name);
    }
}
