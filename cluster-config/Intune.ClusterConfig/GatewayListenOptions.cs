using System.Net;
using Microsoft.Extensions.Options;

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

/// <summary>Rejects a <c>Gateways</c> section at start with errors that name the bad field.</summary>
public sealed class GatewayListenOptionsValidator : IValidateOptions<GatewayListenOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayListenOptions options)
    {
        var errors = new List<string>();
        if (!IPAddress.TryParse(options.ListenAddress, out _))
        {
            errors.Add($"Gateways:ListenAddress '{options.ListenAddress}' is not an IP address (e.g. 127.0.0.1).");
        }

        (string Field, int Port)[] ports = [("AdminPort", options.AdminPort), ("AdminGrpcPort", options.AdminGrpcPort), ("DevicePort", options.DevicePort)];
        foreach (var (field, port) in ports.Where(p => p.Port is < 1 or > 65535))
        {
            errors.Add($"Gateways:{field} {port} is not a TCP port.");
        }

        foreach (var clash in ports.GroupBy(p => p.Port).Where(g => g.Count() > 1))
        {
            errors.Add($"Gateways:{string.Join(" and Gateways:", clash.Select(p => p.Field))} are all {clash.Key}; each front needs a port of its own.");
        }

        if (options.DeviceHostNames.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("Gateways:DeviceHostNames holds an empty name.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
