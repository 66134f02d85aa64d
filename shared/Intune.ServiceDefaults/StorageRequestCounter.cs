using System.Diagnostics;
using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Intune.ServiceDefaults;

/// <summary>
/// Counts every request a storage client sends (each retry too), by unit, store (table or
/// container, without the unit's prefix) and operation, as the <c>intune.storage.requests</c>
/// counter. Storage requests are this system's main cost (docs/architecture.md), so the budget
/// per operation is measured rather than estimated. <c>ScaleUnitStorage</c> (cluster-config), where
/// every storage client of a unit is created, attaches it.
/// </summary>
public sealed class StorageRequestCounter(string scaleUnitId, string storagePrefix) : HttpPipelineSynchronousPolicy
{
    public const string InstrumentName = "intune.storage.requests";

    private static readonly Meter Meter = new(ServiceDefaultsExtensions.TelemetryName);

    private static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        InstrumentName, unit: "{request}", description: "Requests sent to Azure Table and Blob storage, by scale unit, store and operation.");

    /// <summary>Adds the counter to <paramref name="options"/> (once per try, so retries count).</summary>
    public static TOptions Attach<TOptions>(TOptions options, string scaleUnitId, string storagePrefix)
        where TOptions : ClientOptions
    {
        options.AddPolicy(new StorageRequestCounter(scaleUnitId, storagePrefix), HttpPipelinePosition.PerRetry);
        return options;
    }

    public override void OnSendingRequest(HttpMessage message)
    {
        var uri = message.Request.Uri;
        var (store, operation) = Classify(message.Request.Method, uri.Path, uri.Query, PathStyle(uri.Host ?? string.Empty));
        var tags = new TagList
        {
            { "scale_unit", scaleUnitId },
            { "store", WithoutPrefix(store) },
            { "operation", operation },
        };
        Requests.Add(1, tags);
    }

    /// <summary>
    /// The store a request addresses (table, container; <c>$batch</c> for a transaction, whose
    /// table is in its body) and what it does: <c>read</c> (one entity or blob), <c>query</c> (a
    /// table range, a container listing), <c>write</c> (insert, upsert, merge, upload),
    /// <c>delete</c>, <c>batch</c> (one entity-group transaction, up to 100 entities) or
    /// <c>create</c> (a table or container).
    /// </summary>
    internal static (string Store, string Operation) Classify(RequestMethod method, string path, string query, bool pathStyle)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        // An emulator's (and an IP endpoint's) paths start with the account name.
        var first = pathStyle ? 1 : 0;
        var resource = segments.Length > first ? segments[first] : string.Empty;
        var isTables = resource.StartsWith("Tables", StringComparison.Ordinal);
        var key = resource.IndexOf('(');
        var store = key >= 0 && !isTables ? resource[..key] : resource;
        var deeper = segments.Length > first + 1; // a blob inside a container
        var operation = method.Method switch
        {
            "POST" when resource == "$batch" => "batch",
            "POST" when isTables => "create",
            "PUT" when !deeper && query.Contains("restype=container", StringComparison.Ordinal) => "create",
            "GET" or "HEAD" when isTables || query.Contains("comp=list", StringComparison.Ordinal) => "query",
            // A table read by key names the entity; without one (or with "()") it is a query.
            "GET" or "HEAD" when !deeper && (key < 0 || resource.EndsWith("()", StringComparison.Ordinal)) && !query.Contains("restype=container", StringComparison.Ordinal) => "query",
            "GET" or "HEAD" => "read",
            "DELETE" => "delete",
            _ => "write",
        };
        return (store, operation);
    }

    /// <summary>Tables are named prefix + name, containers prefix-name.</summary>
    private string WithoutPrefix(string store) =>
        storagePrefix.Length > 0 && store.Length > storagePrefix.Length && store.StartsWith(storagePrefix, StringComparison.Ordinal)
            ? store[storagePrefix.Length..].TrimStart('-')
            : store;

    private static bool PathStyle(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || System.Net.IPAddress.TryParse(host, out _);
}
