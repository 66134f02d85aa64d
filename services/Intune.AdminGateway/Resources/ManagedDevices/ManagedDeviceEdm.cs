using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Intune.AdminGateway.Graph;
using Intune.Grains.Devices;
using Microsoft.OData.Edm;

namespace Intune.AdminGateway.Resources.ManagedDevices;

/// <summary>
/// The EDM model of <c>microsoft.graph.managedDevice</c> the OData parser binds queries against.
/// Its properties come from <see cref="ManagedDeviceResource"/>, so <c>$select</c> accepts exactly
/// what the service writes; the two state enums carry Graph's member names.
/// </summary>
public static class ManagedDeviceEdm
{
    public const string Namespace = "microsoft.graph";

    public static readonly IEdmModel Model;
    public static readonly IEdmEntityType ManagedDevice;
    public static readonly IEdmEntitySet ManagedDevices;

    static ManagedDeviceEdm()
    {
        var model = new EdmModel();
        var compliance = EnumType<ComplianceState>("complianceState");
        var management = EnumType<ManagementState>("managementState");
        model.AddElements([compliance, management]);

        var device = new EdmEntityType(Namespace, "managedDevice");
        foreach (var property in typeof(ManagedDeviceResource).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<JsonPropertyNameAttribute>() is not null)
            {
                continue;
            }

            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var type = property.PropertyType;
            IEdmTypeReference edm = type switch
            {
                _ when type == typeof(ComplianceState) => new EdmEnumTypeReference(compliance, false),
                _ when type == typeof(ManagementState) => new EdmEnumTypeReference(management, false),
                _ when type == typeof(DateTimeOffset) => EdmCoreModel.Instance.GetDateTimeOffset(false),
                _ when type == typeof(bool) => EdmCoreModel.Instance.GetBoolean(false),
                _ when type == typeof(bool?) => EdmCoreModel.Instance.GetBoolean(true),
                _ when type == typeof(long) => EdmCoreModel.Instance.GetInt64(false),
                _ when type == typeof(string) => EdmCoreModel.Instance.GetString(!(name == "id")),
                _ => EdmCoreModel.GetCollection(EdmCoreModel.Instance.GetUntyped()),
            };
            var added = device.AddStructuralProperty(name, edm);
            if (name == "id")
            {
                device.AddKeys(added);
            }
        }

        model.AddElement(device);
        var container = new EdmEntityContainer(Namespace, "GraphService");
        ManagedDevices = container.AddEntitySet("managedDevices", device);
        model.AddElement(container);
        Model = model;
        ManagedDevice = device;
    }

    private static EdmEnumType EnumType<TEnum>(string name)
        where TEnum : struct, Enum
    {
        var type = new EdmEnumType(Namespace, name);
        foreach (var value in Enum.GetValues<TEnum>())
        {
            type.AddMember(DeviceFields.GraphName(value.ToString()), new EdmEnumMemberValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)));
        }

        return type;
    }
}
