using System.Text.Json;
using System.Text.Json.Serialization;

namespace Intune.Grains.Tenants;

/// <summary>Where a tenant's move stands, as the unit it is leaving records it.</summary>
[GenerateSerializer, Alias("intune.TenantMovePhase")]
public enum TenantMovePhase
{
    /// <summary>Being copied to <see cref="TenantMoveMark.TargetScaleUnitId"/>: reads go on, writes wait.</summary>
    Moving = 0,

    /// <summary>Served by <see cref="TenantMoveMark.TargetScaleUnitId"/> now: callers are sent there.</summary>
    Moved = 1,
}

/// <summary>
/// The mark a tenant move leaves in the source unit (Blob <c>&lt;prefix&gt;-tenant-moves/&lt;tenantId&gt;.json</c>,
/// written by <c>intune-ops tenant move</c>). Gateways read it through <see cref="ITenantMoveMarkGrain"/>
/// to hold writes during the copy and to send devices to the target afterwards. Not part of the
/// tenant's exported state, so it never travels with the tenant.
/// </summary>
[GenerateSerializer, Immutable, Alias("intune.TenantMoveMark")]
public sealed record TenantMoveMark(
    [property: Id(0)] TenantMovePhase Phase,
    [property: Id(1)] string TargetScaleUnitId,
    [property: Id(2)] string? TargetDeviceEndpoint,
    [property: Id(3)] byte[]? TargetCertificateAuthority,
    [property: Id(4)] DateTimeOffset Since)
{
    /// <summary>The container (after the unit's storage prefix and a dash) that holds the marks.</summary>
    public const string ContainerSuffix = "tenant-moves";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static string BlobName(string tenantId) => $"{tenantId}.json";

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static TenantMoveMark? FromJson(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<TenantMoveMark>(json, Json);
}

/// <summary>
/// A tenant's move mark in this unit (null when the tenant is not leaving it). Keyed by tenant
/// id; stateless, so every silo answers from the unit's storage.
/// </summary>
[Alias("intune.ITenantMoveMarkGrain")]
public interface ITenantMoveMarkGrain : IGrainWithStringKey
{
    [Alias("GetAsync")]
    Task<TenantMoveMark?> GetAsync();
}
