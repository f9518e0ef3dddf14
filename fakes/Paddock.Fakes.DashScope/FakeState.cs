using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Paddock.Fakes.DashScope.Media;
using Paddock.Fakes.DashScope.Protocol;
using Paddock.Fakes.DashScope.Recording;
using Paddock.Fakes.DashScope.Tasks;
using Paddock.Fakes.DashScope.Uploads;
using Paddock.Fakes.DashScope.Video;

namespace Paddock.Fakes.DashScope;

/// <summary>Everything one running fake holds; the endpoints receive it from the container.</summary>
public sealed class FakeState : IDisposable
{
    private readonly Lock _throttleGate = new();
    private readonly Queue<DateTimeOffset> _recentCreates = new();
    private readonly byte[] _urlSecret = RandomNumberGenerator.GetBytes(32);
    private readonly bool _ownsVideoDirectory;
    private int _throttledByCount;

    public FakeState(FakeDashScopeOptions options, TimeProvider time)
    {
        Options = options;
        Time = time;
        _ownsVideoDirectory = options.VideoDirectory is null;
        VideoDirectory = options.VideoDirectory ?? Path.Combine(Path.GetTempPath(), "paddock-fake-dashscope-" + Guid.NewGuid().ToString("N"));
        Storage = new TemporaryStorage(time);
        Fetcher = new ReferenceFetcher(options, Storage);
        Renderer = new VideoRenderer(options, VideoDirectory);
        Runner = new TaskRunner(options, time, Fetcher, Renderer);
    }

    public FakeDashScopeOptions Options { get; }
    public TimeProvider Time { get; }
    public RequestLog Log { get; } = new();
    public TemporaryStorage Storage { get; }
    public ReferenceFetcher Fetcher { get; }
    public VideoRenderer Renderer { get; }
    public TaskRunner Runner { get; }
    public string VideoDirectory { get; }

    /// <summary>Every /api/v1 route wants <c>Authorization: Bearer &lt;key&gt;</c> [r2v], [tasks]; 401 InvalidApiKey otherwise [errors].</summary>
    public DashScopeError? Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (string.IsNullOrWhiteSpace(header)) return DashScopeError.NoApiKey;
        var key = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : "";
        if (key.Length == 0) return DashScopeError.NoApiKey;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(Options.ApiKey)) ? null : DashScopeError.InvalidApiKey;
    }

    /// <summary>Whether this create call is over the throttling knobs (429 Throttling.RateQuota [errors]).</summary>
    public bool Throttled()
    {
        lock (_throttleGate)
        {
            if (_throttledByCount < Options.ThrottleFirstCreates)
            {
                _throttledByCount++;
                return true;
            }
            if (Options.ThrottleCreatesPerSecond <= 0) return false;
            var now = Time.GetUtcNow();
            while (_recentCreates.Count > 0 && now - _recentCreates.Peek() >= TimeSpan.FromSeconds(1)) _recentCreates.Dequeue();
            if (_recentCreates.Count >= Options.ThrottleCreatesPerSecond) return true;
            _recentCreates.Enqueue(now);
            return false;
        }
    }

    /// <summary>
    /// The result URL: like the provider's OSS link, it carries its own expiry and signature and needs no API key
    /// [r2v-result] (<c>…/xxxx.mp4?Expires=xxx</c>).
    /// </summary>
    public string VideoUrl(HttpRequest request, string taskId, DateTimeOffset expires)
    {
        var unix = expires.ToUnixTimeSeconds();
        return $"{request.Scheme}://{request.Host}/results/{taskId}.mp4?Expires={unix}&OSSAccessKeyId=LTAI5tFakeDashScope&Signature={Uri.EscapeDataString(Sign(taskId, unix))}";
    }

    public string Sign(string taskId, long expires) =>
        Convert.ToBase64String(HMACSHA1.HashData(_urlSecret, Encoding.UTF8.GetBytes($"{taskId}\n{expires}")));

    public void Dispose()
    {
        Runner.Dispose();
        Fetcher.Dispose();
        if (_ownsVideoDirectory)
        {
            try
            {
                if (Directory.Exists(VideoDirectory)) Directory.Delete(VideoDirectory, recursive: true);
            }
            catch (IOException)
            {
                // An ffmpeg still finishing a file: the temp folder is left for the system to clean.
            }
        }
    }
}
