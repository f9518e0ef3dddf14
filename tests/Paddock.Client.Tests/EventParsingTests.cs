using System.Text;
using Paddock.Client.Internal;

namespace Paddock.Client.Tests;

/// <summary>The SSE parser against the format's corner cases.</summary>
public sealed class EventParsingTests
{
    [Fact]
    public async Task Parses_fields_comments_multiline_data_and_crlf()
    {
        const string wire = ": connected\nretry: 3000\n\nid: 7\nevent: media_generation_completed\ndata: {\"generation_id\":\"g1\",\"status\":\"succeeded\",\"url\":\"http://x/y.mp4\"}\n\n: keep-alive\n\r\nevent: note\r\ndata: line one\r\ndata:line two\r\n\r\nid: 9\ndata: unfinished";
        using var reader = new ServerSentEventReader(new MemoryStream(Encoding.UTF8.GetBytes(wire)));

        var first = await reader.ReadAsync(CancellationToken.None);
        Assert.NotNull(first);
        Assert.Equal(7, first.Id);
        Assert.Equal(PaddockEventTypes.GenerationCompleted, first.EventType);
        Assert.Equal("g1", first.GenerationId);
        Assert.Equal(GenerationStatus.Succeeded, first.Status);
        Assert.Equal(new Uri("http://x/y.mp4"), first.Url);
        Assert.True(first.IsTerminal);
        Assert.Equal(TimeSpan.FromSeconds(3), reader.Retry);

        var second = await reader.ReadAsync(CancellationToken.None);
        Assert.NotNull(second);
        Assert.Equal("note", second.EventType);
        Assert.Equal("line one\nline two", second.RawData);
        Assert.Equal(7, second.Id); // the id persists until changed
        Assert.Null(second.GenerationId);

        Assert.Null(await reader.ReadAsync(CancellationToken.None)); // an unfinished event is dropped
    }
}
