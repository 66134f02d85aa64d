using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Intune.ClusterConfig;

/// <summary>
/// One scale unit: an isolated Orleans cluster with its own storage account (docs/architecture.md §1).
/// Bound from the <c>ScaleUnit</c> section of a file under <c>cluster-config/scale-units/</c>.
/// </summary>
public sealed class ScaleUnitOptions
{
    public const string SectionName = "ScaleUnit";

    /// <summary>Short name operators use, e.g. <c>na-01</c>.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary><c>na</c>, <c>eu</c> or <c>apac</c>.</summary>
    public string Region { get; set; } = string.Empty;

    /// <summary>Orleans ClusterId: which silos form one cluster (membership).</summary>
    public string ClusterId { get; set; } = string.Empty;

    /// <summary>
    /// Orleans ServiceId: keys all grain state. Stable across redeployments and unique per unit,
    /// since two clusters with one ServiceId on shared tables overwrite each other's state.
    /// </summary>
    public string ServiceId { get; set; } = string.Empty;

    /// <summary>The unit's own storage account (Azure connection string, or Azurite's).</summary>
    public string StorageConnectionString { get; set; } = string.Empty;

    /// <summary>Prefix of every table and container the unit creates (lowercase letters and digits).</summary>
    public string StoragePrefix { get; set; } = "intune";

    /// <summary>
    /// The address the silo and Orleans gateway ports bind to and advertise in membership. Loopback
    /// by default, apart from <c>Gateways:ListenAddress</c>, so exposing the device gateway never
    /// exposes the cluster; set a private address of this machine for a unit spread over machines.
    /// </summary>
    public string ClusterAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// TLS on the cluster ports with member certificates from the unit's CA. Unset means on
    /// whenever <see cref="ClusterAddress"/> is not loopback; it cannot be turned off there.
    /// </summary>
    public bool? ClusterTls { get; set; }

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>Devices the unit is sized for; tenant placement uses it.</summary>
    public int CapacityDevices { get; set; } = 100_000;

    /// <summary>
    /// Whether <c>tenant create</c> may place new tenants here. False for a spare unit that is
    /// started on demand (the local <c>na-02</c>): it receives tenants only by a move or a restore.
    /// </summary>
    public bool AcceptsNewTenants { get; set; } = true;

    /// <summary>
    /// The URL devices reach this unit's device gateway at (e.g. <c>https://127.0.0.1:5443</c>).
    /// A tenant move hands it to devices that still call the unit the tenant left; a standalone
    /// gateway listens on its port for the unit's devices. Optional.
    /// </summary>
    public string? DeviceEndpoint { get; set; }

    /// <summary>
    /// Base64 of 32 random bytes that encrypt the unit's CA private key in its storage
    /// (<see cref="SealedCertificateAuthority"/>). Required outside Development; from a secret
    /// store (Key Vault through configuration), never committed.
    /// </summary>
    public string? CertificateAuthorityKey { get; set; }
}

/// <summary>Rejects a scale-unit file at start with errors that name the bad field.</summary>
public sealed partial class ScaleUnitOptionsValidator : IValidateOptions<ScaleUnitOptions>
{
    private static readonly string[] Regions = ["na", "eu", "apac"];

    public ValidateOptionsResult Validate(string? name, ScaleUnitOptions options)
    {
        var errors = new List<string>();
        if (!UnitId().IsMatch(options.Id))
        {
            errors.Add($"ScaleUnit:Id '{options.Id}' must be lowercase letters, digits and dashes (e.g. na-01).");
        }

        if (!Regions.Contains(options.Region))
        {
            errors.Add($"ScaleUnit:Region '{options.Region}' must be one of {string.Join(", ", Regions)}.");
        }

        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            errors.Add("ScaleUnit:ClusterId is required.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            errors.Add("ScaleUnit:ServiceId is required and must be unique to this scale unit.");
        }

        if (string.IsNullOrWhiteSpace(options.StorageConnectionString))
        {
            errors.Add("ScaleUnit:StorageConnectionString is required (the unit's own storage account).");
        }

        if (!StoragePrefixPattern().IsMatch(options.StoragePrefix))
        {
            errors.Add($"ScaleUnit:StoragePrefix '{options.StoragePrefix}' must be 3-20 lowercase letters or digits, starting with a letter.");
        }

        if (!System.Net.IPAddress.TryParse(options.ClusterAddress, out var clusterAddress))
        {
            errors.Add($"ScaleUnit:ClusterAddress '{options.ClusterAddress}' is not an IP address (e.g. 127.0.0.1 or this machine's private address).");
        }
        else if (clusterAddress.Equals(System.Net.IPAddress.Any) || clusterAddress.Equals(System.Net.IPAddress.IPv6Any))
        {
            errors.Add($"ScaleUnit:ClusterAddress '{options.ClusterAddress}' is the wildcard address; silos advertise it to each other, so give this machine's own address.");
        }
        else if (options.ClusterTls == false && !System.Net.IPAddress.IsLoopback(clusterAddress))
        {
            errors.Add($"ScaleUnit:ClusterTls is false but ScaleUnit:ClusterAddress '{options.ClusterAddress}' is not loopback: cluster ports off this machine always use TLS.");
        }

        if (options.SiloPort is < 1 or > 65535)
        {
            errors.Add($"ScaleUnit:SiloPort {options.SiloPort} is not a TCP port.");
        }

        if (options.GatewayPort is < 1 or > 65535 || options.GatewayPort == options.SiloPort)
        {
            errors.Add($"ScaleUnit:GatewayPort {options.GatewayPort} must be a TCP port other than SiloPort.");
        }

        if (options.DeviceEndpoint is { Length: > 0 } endpoint
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"ScaleUnit:DeviceEndpoint '{endpoint}' must be an absolute https URL (e.g. https://127.0.0.1:5443).");
        }

        if (options.CapacityDevices < 1)
        {
            errors.Add("ScaleUnit:CapacityDevices must be positive.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{1,30}$")]
    private static partial Regex UnitId();

    [GeneratedRegex("^[a-z][a-z0-9]{2,19}$")]
    private static partial Regex StoragePrefixPattern();
}
