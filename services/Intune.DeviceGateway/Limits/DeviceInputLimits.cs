using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Intune.Grains.Errors;

namespace Intune.DeviceGateway.Limits;

/// <summary>
/// Bounds on what a device sends, checked on every request of the device protocol before it
/// reaches a grain: every string field (facts, hardware ids, names, reports) and every repeated
/// field, by the proto's own field names, so a field added later is bounded without an edit here.
/// A device's state is one storage entity (at most 1 MB); a device that reported megabytes would
/// fail every later save. Past a limit the call is <c>InvalidArgument</c> naming the field and the
/// limit, and nothing of it is kept. docs/security.md lists the values.
/// </summary>
public static class DeviceInputLimits
{
    /// <summary>A reported string: Graph's managedDevice strings (deviceName, model, osVersion…) are short; 256 is the display-name limit.</summary>
    public const int MaxString = 256;

    /// <summary>Free text a device reports about a failure (a setting's or a command's error).</summary>
    public const int MaxErrorText = 1_024;

    /// <summary>Entries of a repeated field unless named below.</summary>
    public const int MaxEntries = 1_000;

    /// <summary>Apps a device may list in its inventory (the grain keeps the first 1,000).</summary>
    public const int MaxDetectedApps = 5_000;

    private static readonly Dictionary<string, int> StringLimits = new(StringComparer.Ordinal)
    {
        ["intune.device.v1.SettingReport.error_message"] = MaxErrorText,
        ["intune.device.v1.CommandResult.error"] = MaxErrorText,
        // Its own format check answers a bad token Unauthenticated, before any grain is activated.
        ["intune.device.v1.EnrollRequest.enrollment_token"] = int.MaxValue,
    };

    private static readonly Dictionary<string, int> EntryLimits = new(StringComparer.Ordinal)
    {
        ["intune.device.v1.CheckInRequest.detected_apps"] = MaxDetectedApps,
        ["intune.device.v1.CheckInRequest.command_results"] = 100,
    };

    /// <exception cref="InvalidRequestException">A field is past its limit or a string holds control characters.</exception>
    public static void Check(IMessage message) => Check(message, prefix: string.Empty);

    private static void Check(IMessage message, string prefix)
    {
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            var name = prefix + field.Name;
            if (field.IsMap)
            {
                continue; // no request of the device protocol has one
            }

            if (field.IsRepeated)
            {
                var entries = (System.Collections.IList)field.Accessor.GetValue(message);
                var limit = EntryLimits.GetValueOrDefault(field.FullName, MaxEntries);
                if (entries.Count > limit)
                {
                    throw new InvalidRequestException($"'{name}' has {entries.Count} entries; the limit is {limit}.", name);
                }

                for (var i = 0; i < entries.Count; i++)
                {
                    CheckValue(field, entries[i], $"{name}[{i}]");
                }
            }
            else if (field.FieldType != FieldType.Message || field.Accessor.HasValue(message))
            {
                CheckValue(field, field.Accessor.GetValue(message), name);
            }
        }
    }

    private static void CheckValue(FieldDescriptor field, object? value, string name)
    {
        switch (value)
        {
            case string text:
                InputText.Check(text, name, StringLimits.GetValueOrDefault(field.FullName, MaxString));
                break;
            case IMessage nested when field.FieldType == FieldType.Message && nested.Descriptor.File.Package == field.File.Package:
                // Our own messages only: well-known types (Timestamp) carry no device text.
                Check(nested, name + ".");
                break;
        }
    }
}

/// <summary>Applies <see cref="DeviceInputLimits"/> to every device request, unary or streaming, inside the error interceptor.</summary>
internal sealed class DeviceInputLimitInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (request is IMessage message)
        {
            DeviceInputLimits.Check(message);
        }

        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (request is IMessage message)
        {
            DeviceInputLimits.Check(message);
        }

        return continuation(request, responseStream, context);
    }
}
