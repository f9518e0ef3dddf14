using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Options;
using Paddock.Core.Events;
using Paddock.Server.Hosting;
using Paddock.Server.Http;

namespace Paddock.Server.Endpoints;

/// <summary>
/// The server-sent-event frame of each event, encoded once and shared by every stream that sends it. The hub hands the
/// same <see cref="StoredEvent"/> instance to every subscriber of its namespace, so the frame hangs off that instance
/// and goes away with it. A completion's frame carries a signed output URL, which names the address the stream reached:
/// it is kept per base URL, and signed afresh once it is older than <see cref="ReuseWindow"/>.
/// </summary>
public sealed class EventFrames(SignedUrls urls, IOptions<PaddockOptions> options, TimeProvider time)
{
    private readonly ConditionalWeakTable<StoredEvent, Frames> _frames = new();

    /// <summary>How long a signed frame is reused: a hundredth of the URL's lifetime, at most a minute, so every URL sent keeps ≥ 99% of its life.</summary>
    private TimeSpan ReuseWindow => TimeSpan.FromTicks(Math.Min(options.Value.OutputUrlLifetime.Ticks / 100, TimeSpan.TicksPerMinute));

    public ReadOnlyMemory<byte> Of(StoredEvent e, HttpRequest request)
    {
        var frames = _frames.GetValue(e, static e => new Frames(e));
        if (!frames.CarriesUrl) return frames.Plain ??= Encode(e, e.Data);

        return SignedFrame(e, frames, urls.BaseUrl(request));
    }

    /// <remarks>
    /// Kept out of <see cref="Of"/>, and without a lambda: what a lambda captures is allocated where its scope begins, so
    /// a lambda in <see cref="Of"/> cost an allocation on every delivery of every event to every stream.
    /// </remarks>
    private byte[] SignedFrame(StoredEvent e, Frames frames, string baseUrl)
    {
        var now = time.GetUtcNow();
        lock (frames)
        {
            var signed = frames.Signed;
            var index = 0;
            while (index < signed.Count && signed[index].BaseUrl != baseUrl) index++;
            if (index < signed.Count && now - signed[index].At < ReuseWindow) return signed[index].Frame;
            var url = urls.Sign(baseUrl, SignedUrls.OutputPath(e.Namespace, frames.GenerationId!.Value)).Url;
            var frame = Encode(e, GenerationEvents.WithUrl(e.Data, url));
            if (index < signed.Count) signed[index] = (baseUrl, now, frame);
            else signed.Add((baseUrl, now, frame));
            return frame;
        }
    }

    private static byte[] Encode(StoredEvent e, string data) =>
        Encoding.UTF8.GetBytes($"id: {e.Sequence.ToString(CultureInfo.InvariantCulture)}\nevent: {e.Type}\ndata: {data}\n\n");

    private sealed class Frames
    {
        public Frames(StoredEvent e)
        {
            GenerationId = GenerationEvents.CarriesUrl(e) ? GenerationEvents.GenerationIdOf(e) : null;
        }

        public Guid? GenerationId { get; }

        public bool CarriesUrl => GenerationId is not null;

        public byte[]? Plain { get; set; }

        public List<(string BaseUrl, DateTimeOffset At, byte[] Frame)> Signed { get; } = [];
    }
}
