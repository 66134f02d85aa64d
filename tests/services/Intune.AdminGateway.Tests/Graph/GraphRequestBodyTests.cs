using System.ComponentModel.DataAnnotations;
using System.Text;
using Intune.AdminGateway.Graph;
using Intune.Grains.Errors;
using Microsoft.AspNetCore.Http;

namespace Intune.AdminGateway.Tests.Graph;

/// <summary>The shared body reader: every client mistake is an invalid request (a 400 in Graph's envelope) with a message naming it.</summary>
public sealed class GraphRequestBodyTests
{
    private static readonly Dictionary<string, Type> Types = new()
    {
        ["#microsoft.graph.sampleLimit"] = typeof(SampleLimit),
        ["#microsoft.graph.sampleName"] = typeof(SampleName),
    };

    [Fact]
    public async Task ReadAsync_ValidPolymorphicBody_BindsTheDerivedType()
    {
        var body = await ReadAsync("""{"@odata.type":"#microsoft.graph.sampleLimit","displayName":"Five","limit":5}""");

        var limit = Assert.IsType<SampleLimit>(body);
        Assert.Equal(5, limit.Limit);
        Assert.Equal("Five", limit.DisplayName);
    }

    [Theory]
    [InlineData("""{"@odata.type":"#microsoft.graph.sampleLimit","limit":""", "(line 1, position")]
    [InlineData("""[1,2]""", "must be a JSON object")]
    [InlineData("""{"displayName":"x","limit":1}""", "'@odata.type'")]
    [InlineData("""{"@odata.type":"#microsoft.graph.somethingElse","limit":1}""", "'#microsoft.graph.somethingElse' is not supported")]
    [InlineData("""{"@odata.type":"#microsoft.graph.sampleLimit","limit":1,"colour":"red"}""", "'colour' does not exist on type 'microsoft.graph.sampleLimit'")]
    [InlineData("""{"@odata.type":"#microsoft.graph.sampleLimit","limit":99}""", "limit must be between 1 and 15")]
    [InlineData("""{"@odata.type":"#microsoft.graph.sampleLimit","limit":"many"}""", "'limit'")]
    [InlineData("", "empty")]
    public async Task ReadAsync_BadBody_IsAnInvalidRequestNamingTheProblem(string json, string expected)
    {
        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => ReadAsync(json));

        Assert.Equal("body", error.Field);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_OversizeBody_IsAnInvalidRequestWithTheLimit()
    {
        var json = $$"""{"@odata.type":"#microsoft.graph.sampleName","displayName":"{{new string('a', GraphRequestBody.MaxBytes)}}"}""";

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => ReadAsync(json, declareLength: false));

        Assert.Contains($"{GraphRequestBody.MaxBytes} bytes", error.Message, StringComparison.Ordinal);
    }

    private static Task<SampleBase> ReadAsync(string json, bool declareLength = true)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentType = "application/json";
        if (declareLength)
        {
            context.Request.ContentLength = bytes.Length;
        }

        return GraphRequestBody.ReadAsync<SampleBase>(context, Types);
    }

    public abstract class SampleBase
    {
        public string? DisplayName { get; set; }
    }

    public sealed class SampleLimit : SampleBase
    {
        [Range(1, 15, ErrorMessage = "limit must be between 1 and 15.")]
        public int Limit { get; set; }
    }

    public sealed class SampleName : SampleBase;
}
