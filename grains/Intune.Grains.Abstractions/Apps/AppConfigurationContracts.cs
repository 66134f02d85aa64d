using Intune.Grains.Policies;

namespace Intune.Grains.Apps;

/// <summary>
/// Graph <c>managedDeviceMobileAppConfiguration</c> (<c>iosMobileAppConfiguration</c>,
/// <c>androidManagedStoreAppConfiguration</c>): settings delivered with the apps it targets to the
/// devices its assignments reach, with token variables substituted per device (docs/apps.md §7).
/// </summary>
[GenerateSerializer, Immutable, Alias("intune.AppConfigurationDefinition")]
public sealed record AppConfigurationDefinition
{
    [Id(0)] public required string Id { get; init; }
    /// <summary><c>iosMobileAppConfiguration</c> or <c>androidManagedStoreAppConfiguration</c>.</summary>
    [Id(1)] public required string ODataType { get; init; }
    [Id(2)] public required string DisplayName { get; init; }
    [Id(3)] public string? Description { get; init; }
    [Id(4)] public int Version { get; init; }
    [Id(5)] public DateTimeOffset CreatedDateTime { get; init; }
    [Id(6)] public DateTimeOffset LastModifiedDateTime { get; init; }
    [Id(7)] public IReadOnlyList<string> TargetedMobileApps { get; init; } = [];
    /// <summary>iOS: the <c>settings</c> array (appConfigKey, appConfigKeyType, appConfigKeyValue) as JSON text.</summary>
    [Id(8)] public string? SettingsJson { get; init; }
    /// <summary>iOS: the plist of <c>encodedSettingXml</c>, decoded.</summary>
    [Id(9)] public string? SettingXml { get; init; }
    /// <summary>Android: <c>payloadJson</c> as given.</summary>
    [Id(10)] public string? PayloadJson { get; init; }
    [Id(11)] public string? PackageId { get; init; }
    [Id(12)] public IReadOnlyList<AssignmentTarget> Assignments { get; init; } = [];
}

/// <summary>
/// One app configuration, keyed <c>tenantId/configurationId</c>: a deliverable of kind
/// <see cref="PolicyKind.AppConfiguration"/> (assigning writes it and the tenant's record, no device).
/// </summary>
[Alias("intune.IAppConfigurationGrain")]
public interface IAppConfigurationGrain : IGrainWithStringKey
{
    [Alias("CreateAsync")]
    Task<AppConfigurationDefinition> CreateAsync(AppConfigurationDefinition draft);

    /// <summary>Replaces the definition (its type and assignments stay) as a new version.</summary>
    [Alias("UpdateAsync")]
    Task<AppConfigurationDefinition> UpdateAsync(AppConfigurationDefinition next);

    [Alias("GetAsync")]
    Task<AppConfigurationDefinition?> GetAsync();

    [Alias("DeleteAsync")]
    Task DeleteAsync();

    /// <summary>Replaces every assignment: O(1) storage requests.</summary>
    [Alias("AssignAsync")]
    Task<AppConfigurationDefinition> AssignAsync(IReadOnlyList<AssignmentTarget> targets);
}
