using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Intune.AdminGateway.Graph;

/// <summary>
/// Reads a Graph request body into a DTO, or answers why not in words an admin can act on:
/// size limit, malformed JSON (with line and position), a missing or unknown <c>@odata.type</c>,
/// properties the type does not have, wrong value types and out-of-range values
/// (DataAnnotations on the DTO). Every admin API that takes a body goes through here, so no
/// client mistake reaches a handler as an exception (and so never becomes a 500).
/// </summary>
public static class GraphRequestBody
{
    /// <summary>Graph bodies are small documents; anything larger is a mistake or abuse.</summary>
    public const int MaxBytes = 1024 * 1024;

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
    public static async Task<GraphBody<T>> ReadAsync<T>(HttpContext context, IReadOnlyDictionary<string, Type>? odataTypes = null, string? defaultODataType = null)
        where T : class
    {
        var request = context.Request;
        if (request.ContentLength > MaxBytes)
        {
            return Fail<T>($"The request body is {request.ContentLength} bytes; the limit is {MaxBytes} bytes.");
        }

        if (request.ContentType is { } contentType && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Fail<T>($"Send the body as JSON with 'Content-Type: application/json' (got '{contentType}').");
        }

        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBytes)
            {
                return Fail<T>($"The request body exceeds the limit of {MaxBytes} bytes.");
            }
        }

        if (buffer.Length == 0)
        {
            return Fail<T>("The request body is empty; send a JSON object.");
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(buffer.ToArray(), documentOptions: new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            return Fail<T>($"The request body is not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}).");
        }

        if (node is not JsonObject body)
        {
            return Fail<T>("The request body must be a JSON object.");
        }

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
                return Fail<T>($"The body must name its type in '@odata.type': one of {expected}.");
            }

            if (!odataTypes.TryGetValue(odataType, out target!))
            {
                return Fail<T>($"'@odata.type' '{odataType}' is not supported here; use one of {expected}.");
            }
        }

        var typeName = odataTypes?.FirstOrDefault(kv => kv.Value == target).Key ?? target.Name;
        var known = StrictOptions.GetTypeInfo(target).Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = body.Select(p => p.Key)
            .Where(k => !known.Contains(k) && !k.StartsWith("@odata.", StringComparison.Ordinal))
            .ToList();
        if (unknown.Count > 0)
        {
            return Fail<T>($"The property '{unknown[0]}' does not exist on type '{typeName.TrimStart('#')}'.");
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
            return Fail<T>($"A value in {path} has the wrong type or an unknown property; check it against '{typeName.TrimStart('#')}'.");
        }

        if (value is not T dto)
        {
            return Fail<T>($"The body does not describe a '{typeName.TrimStart('#')}'.");
        }

        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(dto, new ValidationContext(dto), results, validateAllProperties: true))
        {
            return Fail<T>(string.Join(" ", results.Select(r => r.ErrorMessage)));
        }

        return new GraphBody<T>(dto, null);
    }

    private static GraphBody<T> Fail<T>(string message)
        where T : class => new(null, GraphErrors.BadRequest(message));
}

/// <summary>The DTO, or the 400 to return instead.</summary>
public sealed record GraphBody<T>(T? Value, IResult? Error)
    where T : class
{
    public bool IsValid => Error is null;
}
