namespace Intune.Grains.Certificates;

/// <summary>
/// A CA whose device certificates a unit accepts: its own, or a peer unit's whose tenants moved
/// in (Blob <c>trusted/&lt;unit&gt;.cer</c> beside the unit's CA; public certificate only).
/// </summary>
[GenerateSerializer, Immutable, Alias("intune.TrustedAuthority")]
public sealed record TrustedAuthority(
    [property: Id(0)] string ScaleUnitId,
    [property: Id(1)] byte[] Certificate);
