using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Paddock.Client.Tests.Support;

namespace Paddock.Client.Tests;

/// <summary>Generations end to end through the SDK: sync, queue + wait, polling, cancel, failure.</summary>
[Collection(ServerCollection.Name)]
public sealed class GenerationTests(ServerFixture fixture)
{
    [Fact]
    public async Task Sync_generation_returns_a_url_or_the_bytes_of_the_same_video()
    {
        var client = fixture.Server.CreateClient();

        // The free-form request, for any model.
        var request = new GenerationRequest(HappyHorseR2VRequest.ModelId, new JsonObject
        {
            ["prompt"] = "a paper boat drifts on a pond",
            ["resolution"] = "720P",
            ["duration"] = 3,
            ["seed"] = 11,
        });
        var result = await client.GenerateAsync(request);

        var video = Assert.Single(result.Videos);
        Assert.NotNull(video.Url);
        Assert.Null(video.Bytes);
        Assert.Equal(HappyHorseR2VRequest.ModelId, result.Model);
        Assert.NotNull(result.GenerationId);
        var row = await client.GetGenerationAsync(result.GenerationId);
        Assert.Equal(GenerationStatus.Succeeded, row.Status);
        Assert.Equal(11, row.Seed);

        var path = TestMedia.TempFile("sync.mp4");
        var size = await client.SaveVideoAsync(video, path);
        var downloaded = await File.ReadAllBytesAsync(path);
        Assert.Equal(size, downloaded.Length);
        Assert.True(TestMedia.IsMp4(downloaded));

        // Same request and seed, bytes inline: the same video.
        request.ResponseFormat = VideoResponseFormat.Base64Json;
        var inline = Assert.Single((await client.GenerateAsync(request)).Videos);
        Assert.Null(inline.Url);
        Assert.Equal(downloaded, inline.Bytes!.Value.ToArray());

        // Saved into a folder that does not exist yet, complete or not at all.
        var saved = Path.Combine(Path.GetDirectoryName(path)!, "new", "folder", "inline.mp4");
        Assert.Equal(downloaded.Length, await client.SaveVideoAsync(inline, saved));
        Assert.Equal(downloaded, await File.ReadAllBytesAsync(saved));
        Assert.False(File.Exists(saved + ".partial"));
    }

    [Fact]
    public async Task Queued_generations_with_an_uploaded_reference_complete_through_the_event_stream()
    {
        var client = fixture.Server.CreateClient(o => o.EventQuietInterval = TimeSpan.FromMinutes(5)); // events only: no quiet-time polls
        var upload = await client.UploadFileAsync("default", "refs", "main", "queue/dog.png", new MemoryStream(TestMedia.Png()));

        var request = new HappyHorseR2VRequest("Image 1 trots across a meadow") { Resolution = "720P", Duration = 3, AspectRatio = "4:3", Seed = 100, NumGenerations = 2 };
        request.ReferenceImages.Add(upload.Files[0].Url.ToString());
        var operations = await client.EnqueueAsync(request);

        Assert.Equal(2, operations.Count);
        Assert.All(operations, o => Assert.Equal(GenerationStatus.Queued, o.Status));
        var reports = new ConcurrentQueue<GenerationProgress>();
        var progress = new SynchronousProgress<GenerationProgress>(reports.Enqueue);
        var rows = await Task.WhenAll(operations.Select(o => o.WaitForCompletionAsync(progress)));

        Assert.All(rows, r => Assert.Equal(GenerationStatus.Succeeded, r.Status));
        Assert.All(operations, o => Assert.True(o.HasCompleted));
        Assert.Equal([100L, 101L], rows.Select(r => r.Seed!.Value).Order());
        Assert.All(rows, r => Assert.Equal([upload.Files[0].Url.ToString()], r.ReferenceImages));
        var first = reports.Where(p => p.GenerationId == operations[0].Id).ToList();
        Assert.Contains(first, p => p.Status == GenerationStatus.Processing && p.Phase is not null);
        Assert.Equal(GenerationStatus.Succeeded, first[^1].Status);

        var path = TestMedia.TempFile("queued.mp4");
        await operations[1].DownloadVideoAsync(path);
        var video = await File.ReadAllBytesAsync(path);
        Assert.True(TestMedia.IsMp4(video));
        Assert.False(File.Exists(path + ".partial"));

        // A download of the result that was stopped a third of the way resumes from there in another process, through a
        // newly signed URL (another query, the same video).
        var resumed = TestMedia.TempFile("resumed.mp4");
        var stopper = new StoppingBodyHandler(".mp4", bytesBeforeStop: video.Length / 3);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            fixture.Server.CreateClient(o => o.Transport = stopper).GetGenerationOperation(operations[1].Id).DownloadVideoAsync(resumed, stopper.Stop.Token));
        var recorder = new RecordingHandler();
        await fixture.Server.CreateClient(o => o.Transport = recorder).GetGenerationOperation(operations[1].Id).DownloadVideoAsync(resumed);
        Assert.Equal(video, await File.ReadAllBytesAsync(resumed));
        var get = Assert.Single(recorder.Seen, s => s.Uri.AbsolutePath.EndsWith(".mp4", StringComparison.Ordinal));
        Assert.Equal($"bytes={video.Length / 3}-", get.Range);
    }

    [Fact]
    public async Task Progress_reports_each_change_once_and_the_outcome_once()
    {
        var client = fixture.Server.CreateClient();
        var operation = (await client.EnqueueAsync(TestMedia.Small("a lantern swings in the wind")))[0];
        var reports = new List<GenerationProgress>();

        await operation.WaitForCompletionAsync(new SynchronousProgress<GenerationProgress>(reports.Add));

        // Rows and events tell the same moments: a progress bar must not flicker back to "no percent" or finish twice.
        Assert.Equal(GenerationStatus.Succeeded, Assert.Single(reports, r => r.Status.IsTerminal).Status);
        Assert.Equal(GenerationStatus.Succeeded, reports[^1].Status);
        foreach (var (before, after) in reports.Zip(reports.Skip(1)))
        {
            Assert.NotEqual(before, after);
            if (before.Status == after.Status && before.Phase == after.Phase && before.Percent is { } percent)
                Assert.True(after.Percent >= percent, $"{before.Phase} went from {percent}% to {after.Percent?.ToString() ?? "no percent"}");
        }
    }

    [Fact]
    public async Task A_rehydrated_operation_polls_when_the_server_has_no_event_stream()
    {
        var client = fixture.Server.CreateClient();
        var id = (await client.EnqueueAsync(TestMedia.Small("a kite rises over a beach")))[0].Id;

        // Another process (or a restart) knows only the id, and talks to a server without /api/events.
        var noEvents = new EventsNotFoundHandler();
        var later = fixture.Server.CreateClient(o => o.Transport = noEvents);
        var operation = later.GetGenerationOperation(id);
        Assert.False(operation.Status.IsKnown);

        var row = await operation.WaitForCompletionAsync();

        Assert.Equal(GenerationStatus.Succeeded, row.Status);
        Assert.Equal(id, row.Id);
        Assert.NotNull(row.ResultUrl);
        Assert.True(noEvents.Seen.Count(s => s.Uri.AbsolutePath.EndsWith(id, StringComparison.Ordinal)) >= 1);
    }

    [Theory]
    [InlineData("silent")]
    [InlineData("refusing")]
    public async Task The_wait_polls_when_the_event_stream_is_quiet_or_down(string mode)
    {
        // A stream that connects but never says anything, or a connection that keeps failing.
        var events = new BrokenEventsHandler(silent: mode == "silent");
        var client = fixture.Server.CreateClient(o =>
        {
            o.Transport = events;
            o.EventQuietInterval = TimeSpan.FromMilliseconds(300);
        });
        var operation = (await client.EnqueueAsync(TestMedia.Small($"a bee visits a flower ({mode})")))[0];

        var row = await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(GenerationStatus.Succeeded, row.Status);
        Assert.True(events.Seen.Count(s => s.Uri.AbsolutePath.EndsWith("/api/events", StringComparison.Ordinal)) >= 1);
        Assert.True(events.Seen.Count(s => s.Uri.AbsolutePath.EndsWith(operation.Id, StringComparison.Ordinal)) >= 2, "the row was polled");
    }

    [Fact]
    public async Task A_cancelled_generation_ends_the_wait_with_a_cancelled_error()
    {
        var client = fixture.Server.CreateClient();
        var blocker = (await client.EnqueueAsync(TestMedia.Small("a long train passes")))[0];
        var target = (await client.EnqueueAsync(TestMedia.Small("a short bus passes")))[0];

        var waiting = target.WaitForCompletionAsync();
        var row = await target.CancelAsync();
        await blocker.CancelAsync();

        Assert.Equal(GenerationStatus.Cancelled, row.Status);
        var e = await Assert.ThrowsAsync<PaddockException>(() => waiting);
        Assert.Equal("cancelled", e.ErrorType);
        Assert.Equal(target.Id, e.GenerationId);
        Assert.Equal(GenerationStatus.Cancelled, target.Status);
        await Assert.ThrowsAsync<InvalidOperationException>(() => target.DownloadVideoAsync(new MemoryStream()));
    }

    [Fact]
    public async Task A_failed_generation_ends_the_wait_with_the_rows_error_message()
    {
        var client = fixture.Server.CreateClient();
        var request = TestMedia.Small("Image 1 stands still");
        request.ReferenceImages.Add(new Uri(fixture.Server.Endpoint, "api/repos/default/refs/file/main/missing/nothing.png").ToString());
        var operation = (await client.EnqueueAsync(request))[0];

        var e = await Assert.ThrowsAsync<PaddockException>(() => operation.WaitForCompletionAsync());

        Assert.Equal("generation_failed", e.ErrorType);
        Assert.Equal(0, e.Status);
        Assert.StartsWith("reference_images[0]", e.Detail);
        Assert.Equal(GenerationStatus.Failed, operation.Status);
        Assert.Equal(e.Detail, operation.Value!.ErrorMessage);
    }

    /// <summary>Reports on the caller's thread, so a test sees every report before the wait returns.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>An event stream that stays silent (no events, no keep-alives) or cannot be reached at all.</summary>
    private sealed class BrokenEventsHandler(bool silent) : RecordingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!request.RequestUri!.AbsolutePath.EndsWith("/api/events", StringComparison.Ordinal)) return base.SendAsync(request, cancellationToken);
            Seen.Enqueue(SeenRequest.Of(request));
            if (!silent) throw new HttpRequestException("connection refused (simulated)");
            var content = new StreamContent(new NeverEndingStream());
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/event-stream");
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { RequestMessage = request, Content = content });
        }
    }

    /// <summary>A body whose reads wait until cancelled.</summary>
    private sealed class NeverEndingStream : Stream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A server without an event stream, as an older or simpler implementation of the API would be.</summary>
    private sealed class EventsNotFoundHandler : RecordingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/api/events", StringComparison.Ordinal))
            {
                Seen.Enqueue(SeenRequest.Of(request));
                return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.NotFound) { RequestMessage = request, Content = new StringContent("not here") });
            }
            return base.SendAsync(request, cancellationToken);
        }
    }
}
