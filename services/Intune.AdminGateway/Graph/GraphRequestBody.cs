using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using Intune.Grains.Errors;
using Microsoft.AspNetCore.Http;

namespace Intune.AdminGateway.Graph;

/// <summary>
/// Reads a Graph request body into a DTO, or answers why not in words an admin can act on:
/// size limit, malformed JSON (with line and position), a missing or unknown <c>@odata.type</c>,
/// properties the type does not have, wrong value types and out-of-range values
/// (DataAnnotations on the DTO). Every admin API that takes a body goes through here; what it
/// cannot accept leaves as <see cref="InvalidRequestException"/> (a 400, never a 500).
/// </summary>
public static class GraphRequestBody
{
    /// <summary>Graph bodies are small documents; anything larger is a mistake or abuse.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Nesting a Graph body never needs; deeper documents are refused before they are walked.</summary>
    public const int MaxDepth = 32;

    private static readonly JsonSerializerOptions StrictOptions = new(GraphJson.Options)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        // Explicit: hosts may run with reflection-based metadata off by default.
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    /// <summary>
    /// Reads <typeparamref name="T"/>. <paramref name="odataTypes"/> maps each accepted
    /// <c>@odata.type</c> to the DTO type it binds (a derived type of <typeparamref name="T"/>
    /// for polymorphic resources); null means the body carries no type (actions such as assign).
    /// <paramref name="defaultODataType"/> is assumed when a body leaves its type out, as Graph
    /// does for collections of one entity type (the Graph SDK sends no type for those).
    /// </summary>
    public static async Task<T> ReadAsync<T>(HttpContext context, IReadOnlyDictionary<string, Type>? odataTypes = null, string? defaultODataType = null)
        where T : class
    {
        var body = await ReadObjectAsync(context) ?? throw Invalid("The request body is empty; send a JSON object.");
        var target = typeof(T);
        if (odataTypes is not null)
        {
            var expected = string.Join(", ", odataTypes.Keys.Select(k => $"'{k}'"));
            string? odataType = null;
            if (!body.ContainsKey("@odata.type"))
            {
                odataType = defaultODataType;
            }
            else if (body["@odata.type"] is JsonValue typeValue && typeValue.TryGetValue<string>(out var named))
            {
                odataType = named;
            }

            if (odataType is null)
            {
                throw Invalid($"The body must name its type in '@odata.type': one of {expected}.");
            }

            if (!odataTypes.TryGetValue(odataType, out target!))
            {
                throw Invalid($"'@odata.type' '{odataType}' is not supported here; use one of {expected}.");
            }
        }

        var typeName = odataTypes?.FirstOrDefault(kv => kv.Value == target).Key ?? target.Name;
        var known = StrictOptions.GetTypeInfo(target).Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = body.Select(p => p.Key)
            .Where(k => !known.Contains(k) && !k.StartsWith("@odata.", StringComparison.Ordinal))
            .ToList();
        if (unknown.Count > 0)
        {
            throw Invalid($"The property '{unknown[0]}' does not exist on type '{typeName.TrimStart('#')}'.");
        }

        foreach (var annotation in body.Where(p => p.Key.StartsWith("@odata.", StringComparison.Ordinal) && !known.Contains(p.Key)).Select(p => p.Key).ToList())
        {
            body.Remove(annotation);
        }

        object? value;
        try
        {
            value = body.Deserialize(StrictOptions.GetTypeInfo(target));
        }
        catch (JsonException e)
        {
            var path = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "the body" : $"'{e.Path.TrimStart('$', '.')}'";
            throw Invalid($"A value in {path} has the wrong type or an unknown property; check it against '{typeName.TrimStart('#')}'.");
        }

        if (value is not T dto)
        {
            throw Invalid($"The body does not describe a '{typeName.TrimStart('#')}'.");
        }

        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(dto, new ValidationContext(dto), results, validateAllProperties: true))
        {
            throw Invalid(string.Join(" ", results.Select(r => r.ErrorMessage)));
        }

        return dto;
    }

    /// <summary>
    /// The body as a JSON object, or null when there is none (Graph actions are sent with
    /// <c>Content-Length: 0</c>): the size, content type and syntax checks of every body.
    /// </summary>
    public static async Task<JsonObject?> ReadObjectAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > MaxBytes)
        {
            throw Invalid($"The request body is {request.ContentLength} bytes; the limit is {MaxBytes} bytes.");
        }

        if (request.ContentType is { } contentType && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid($"Send the body as JSON with 'Content-Type: application/json' (got '{contentType}').");
        }

        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBytes)
            {
                throw Invalid($"The request body exceeds the limit of {MaxBytes} bytes.");
            }
        }

        if (buffer.Length == 0 || buffer.ToArray().All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
        {
            return null;
        }

        JsonNode? node;
        try
        {
            // A repeated property would otherwise mean whichever copy a reader keeps (or an ArgumentException, a 500).
            node = JsonNode.Parse(buffer.ToArray(), documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw Invalid($"The request body is not valid JSON, nested deeper than {MaxDepth} or repeats a property (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}).");
        }

        return node as JsonObject ?? throw Invalid("The request body must be a JSON object.");
    }

    /// <summary>The body as a JSON object; an empty body is refused.</summary>
    public static async Task<JsonObject> ReadRequiredObjectAsync(HttpContext context) =>
        await ReadObjectAsync(context) ?? throw Invalid("The request body is empty; send a JSON object.");

    private static InvalidRequestException Invalid(string message) => new(message, "body");
}
