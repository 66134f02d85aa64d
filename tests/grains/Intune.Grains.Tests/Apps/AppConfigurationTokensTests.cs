using Intune.Grains.Apps;

namespace Intune.Grains.Tests.Apps;

/// <summary>Token variables replaced per device without breaking the payload.</summary>
public sealed class AppConfigurationTokensTests
{
    private static readonly IReadOnlyDictionary<string, string?> Values =
        AppConfigurationTokens.For("dev-1", "Ada's \"<laptop>\"", "ada@contoso.example", "SN1", null);

    [Fact]
    public void Json_ReplacesInsideStringValuesOnly_AndKeepsItValid()
    {
        var json = AppConfigurationTokens.Json("""[{"k":"{{userprincipalname}}","n":3},{"k":"{{devicename}} on {{deviceid}}","{{mail}}":"x"}]""", Values);

        var parsed = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsArray();
        Assert.Equal("ada@contoso.example", parsed[0]!["k"]!.GetValue<string>());
        Assert.Equal(3, parsed[0]!["n"]!.GetValue<int>());
        Assert.Equal("Ada's \"<laptop>\" on dev-1", parsed[1]!["k"]!.GetValue<string>());
        Assert.NotNull(parsed[1]!["{{mail}}"]);
    }

    [Fact]
    public void Xml_EscapesValues_AndLeavesUnknownOrUnsetTokens()
    {
        var xml = AppConfigurationTokens.Xml("<dict><key>d</key><string>{{devicename}}</string><string>{{imei}} {{nosuch}} {{partialupn}}</string></dict>", Values);

        Assert.Equal("<dict><key>d</key><string>Ada&apos;s &quot;&lt;laptop&gt;&quot;</string><string>{{imei}} {{nosuch}} ada</string></dict>", xml);
    }
}
