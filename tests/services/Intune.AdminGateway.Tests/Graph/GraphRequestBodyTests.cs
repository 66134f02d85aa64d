using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json.Nodes;
using Intune.AdminGateway.Graph;
using Microsoft.AspNetCore.Http;

namespace Intune.AdminGateway.Tests.Graph;

/// <summary>The shared body reader: every client mistake is a 400 with Graph's envelope and a message naming it.</summary>
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

        var limit = Assert.IsType<SampleLimit>(body.Value);
        Assert.Equal(5, limit.Limit);
        Assert.Equal("Five", limit.DisplayName);
    }

    [Theory]
    [InlineData("""{"@odata.type":"#microsoft.graph.sampleLimit","limit":""", "not valid JSON (line 1")]
    [InlineData("""[1,2]""", "must be a JSON object")]
    [InlineData("""{"displayName":"x","limit":1}""", "'@odata.type'")]
    [InlineData("""{"@odata.type":"#microsoft.graph.somethingElse","limit":1}""", "'#microsoft.graph.somethingElse' is not supported")]
    [InlineData("""{"@odata.type":"#microsoft.graph.sampleLimit","limit":1,"colour":"red"}""", "'colour' does not exist on type 'microsoft.graph.sampleLimit'")]
    [InlineData("""{"@odata.type":"#microsoft.graph.sampleLimit","limit":99}""", "limit must be between 1 and 15")]
    [InlineData("""{"@odata.type":"#microsoft.graph.sampleLimit","limit":"many"}""", "'limit'")]
    [InlineData("", "empty")]
    public async Task ReadAsync_BadBody_Is400NamingTheProblem(string json, string expected)
    {
        var body = await ReadAsync(json);

        Assert.False(body.IsValid);
        var (status, error) = await ExecuteAsync(body.Error!);
        Assert.Equal(StatusCodes.Status400BadRequest, status);
        Assert.Equal("BadRequest", (string?)error["code"]);
        Assert.Contains(expected, (string?)error["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_OversizeBody_Is400WithTheLimit()
    {
        var json = $$"""{"@odata.type":"#microsoft.graph.sampleName","displayName":"{{new string('a', GraphRequestBody.MaxBytes)}}"}""";

        var body = await ReadAsync(json, declareLength: false);

        var (status, error) = await ExecuteAsync(body.Error!);
        Assert.Equal(StatusCodes.Status400BadRequest, status);
        Assert.Contains($"{GraphRequestBody.MaxBytes} bytes", (string?)error["message"], StringComparison.Ordinal);
    }

    private static Task<GraphBody<SampleBase>> ReadAsync(string json, bool declareLength = true)
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

    private static async Task<(int Status, JsonNode Error)> ExecuteAsync(IResult result)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        await result.ExecuteAsync(context);
        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, JsonNode.Parse(context.Response.Body)!["error"]!);
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
