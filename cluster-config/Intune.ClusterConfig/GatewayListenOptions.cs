namespace Intune.ClusterConfig;

/// <summary>Where the gateways listen (docs/architecture.md §6: admin 5080, device 5443 on loopback).</summary>
public sealed class GatewayListenOptions
{
    public const string SectionName = "Gateways";

    /// <summary>Address both gateways bind to.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>Admin gateway: Graph REST over HTTP/1.1.</summary>
    public int AdminPort { get; set; } = 5080;

    /// <summary>Admin gateway: gRPC <c>intune.admin.v1</c> over cleartext HTTP/2 (h2c), same bearer tokens as REST.</summary>
    public int AdminGrpcPort { get; set; } = 5081;

    /// <summary>Device gateway: gRPC over TLS (mutual TLS after enrollment).</summary>
    public int DevicePort { get; set; } = 5443;

    /// <summary>
    /// Names the device gateway's TLS certificate is issued for. Empty means localhost and the
    /// listen address (configuration binding appends to arrays, so the default is not inline).
    /// </summary>
    public string[] DeviceHostNames { get; set; } = [];

    public string[] EffectiveDeviceHostNames => DeviceHostNames.Length > 0 ? DeviceHostNames : ["localhost", ListenAddress];
}
