using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Graph;
using Intune.Grains.Audit;

namespace Intune.AdminGateway.Audit;

/// <summary>
/// What the current admin call changed, for its audit event. Scoped per request: the audit
/// middleware writes the event after the handler ran; handlers and application services add the
/// resources they touched (with old/new values) and may name the activity more precisely than the
/// defaults derived from the HTTP method and path.
/// </summary>
public sealed class AuditRecorder
{
    private readonly List<AuditResource> _resources = [];

    public string? Category { get; set; }

    public string? ActivityType { get; set; }

    public string? ActivityOperationType { get; set; }

    public IReadOnlyList<AuditResource> Resources => _resources;

    /// <summary>
    /// Names the change before it is attempted, so a refused attempt is recorded as a failure too.
    /// The application layer calls this for every mutating operation; a front that sees no
    /// description (a read) writes no event.
    /// </summary>
    public void Describe(string activityType, string operationType, string category)
    {
        ActivityType = activityType;
        ActivityOperationType = operationType;
        Category = category;
    }

    /// <summary>Records a touched resource; pass the Graph representations before and after to list what changed.</summary>
    public void AddResource(string resourceType, string resourceId, string displayName, object? before, object? after) =>
        _resources.Add(new AuditResource(displayName, resourceType, resourceId, Changes(before, after)));

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
