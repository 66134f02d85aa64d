using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Graph;
using Intune.Grains.Audit;

namespace Intune.AdminGateway.Audit;

/// <summary>
/// What the current admin call changed, for its audit event. Scoped per request: application
/// services add the resources they touched (with old/new values); <see cref="AuditWriter"/> writes
/// the event, named by the call's operation descriptor, once the call has ended.
/// </summary>
public sealed class AuditRecorder
{
    private readonly List<AuditResource> _resources = [];

    public IReadOnlyList<AuditResource> Resources => _resources;

    /// <summary>Records a touched resource; pass the Graph representations before and after to list what changed.</summary>
    public void AddResource(string resourceType, string resourceId, string? displayName, object? before = null, object? after = null) =>
        _resources.Add(new AuditResource(displayName ?? resourceId, resourceType, resourceId, Changes(before, after)));

    /// <summary>Top-level properties whose JSON differs between the two representations (null means absent).</summary>
    public static IReadOnlyList<AuditProperty> Changes(object? before, object? after)
    {
        var old = before is null ? new JsonObject() : JsonSerializer.SerializeToNode(before, before.GetType(), GraphJson.Options) as JsonObject ?? [];
        var now = after is null ? new JsonObject() : JsonSerializer.SerializeToNode(after, after.GetType(), GraphJson.Options) as JsonObject ?? [];
        var changes = new List<AuditProperty>();
        foreach (var name in old.Select(p => p.Key).Union(now.Select(p => p.Key)))
        {
            if (name.StartsWith('@'))
            {
                continue;
            }

            var o = old[name]?.ToJsonString(GraphJson.Options);
            var n = now[name]?.ToJsonString(GraphJson.Options);
            if (o != n)
            {
                changes.Add(new AuditProperty(name, Unquote(o), Unquote(n)));
            }
        }

        return changes;
    }

    private static string? Unquote(string? json) =>
        json is { Length: >= 2 } && json[0] == '"' && json[^1] == '"' ? JsonSerializer.Deserialize<string>(json) : json;
}
