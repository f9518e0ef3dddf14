using System.Text;
using System.Text.Json;
using Paddock.Core.Validation;

namespace Paddock.Core.Tests;

/// <summary>
/// Why a body is not JSON, read from a JSON reader's state: each kind of fault gets its own words and place, and the
/// verdict agrees with the parser that refused the body (nothing is guessed from the parser's own message).
/// </summary>
public sealed class RequestTextTests
{
    [Theory]
    [InlineData("{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"x\"", "body: is not valid JSON: it ends at line 1, position 43 before the JSON is complete (1 bracket is still open)")]
    [InlineData("{\"a\":[{\"b\":", "body: is not valid JSON: it ends at line 1, position 12 before the JSON is complete (3 brackets are still open)")]
    [InlineData("{\"prompt\":\"half a str", "before the JSON is complete")]
    [InlineData("{\"duration\":1", "before the JSON is complete")]
    [InlineData("   \n ", "body: is empty, which is not valid JSON")]
    [InlineData("{\"a\":1,\"b\":2,\"a\":3}", "a: is given twice (at line 1, position 14); send each field once")]
    [InlineData("{\"reference_images\":[{\"x\":1,\"x\":2}]}", "reference_images[0].x: is given twice")]
    [InlineData("{\"a\":1,}", "body: is not valid JSON: at line 1, position 8: '}' is not valid JSON there")]
    [InlineData("{\"a\":\n  nope}", "body: is not valid JSON: at line 2, position 4: 'o' is not valid JSON there")]
    [InlineData("{} []", "body: is not valid JSON: at line 1, position 4: there is more after the end of the JSON value")]
    public void A_body_the_parser_refuses_is_told_what_is_wrong_and_where(string json, string expected)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(bytes, RequestText.ParseOptions).Dispose());

        var why = RequestText.WhyNotJson(bytes);

        Assert.True(why.Contains(expected, StringComparison.Ordinal), why);
        Assert.DoesNotContain("nested", why, StringComparison.Ordinal);
    }

    [Fact]
    public void Depth_is_counted_as_the_parser_counts_it()
    {
        var limit = new string('[', RequestText.MaxDepth) + new string(']', RequestText.MaxDepth);
        JsonDocument.Parse(limit, RequestText.ParseOptions).Dispose(); // 64 levels: read

        var over = Encoding.UTF8.GetBytes("[" + limit + "]");
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(over, RequestText.ParseOptions).Dispose());
        Assert.Equal("body: is nested more than 64 levels deep (at line 1, position 65); no field of a request nests more than two", RequestText.WhyNotJson(over));
    }
}
