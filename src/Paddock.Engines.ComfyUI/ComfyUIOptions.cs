using Paddock.Core.Engines;
using Paddock.Engines.ComfyUI.Templates;

namespace Paddock.Engines.ComfyUI;

/// <summary>
/// A backend of <c>Type=comfyui</c> (section <c>Paddock:Backends:NAME</c>): a pool of ComfyUI servers, each given one
/// generation at a time, and the workflow templates it runs.
/// </summary>
public sealed class ComfyUIOptions : BackendOptions
{
    public ComfyUIOptions()
    {
        // Not set: a pool's concurrency is its number of members (see Validate).
        Concurrency = 0;
    }

    /// <summary>The ComfyUI servers' base URLs (e.g. http://gpu-1:8188); each runs one generation at a time.</summary>
    public List<Uri> Members { get; set; } = [];

    /// <summary>A folder of the deployment's own templates (MODEL.manifest.json + its workflow), added to the shipped ones.</summary>
    public string? Templates { get; set; }

    /// <summary>How long one HTTP request to a server may take (an upload, a /view download, a queue look-up).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a health check waits for each server (a wedged server must not hold the others' checks).</summary>
    public TimeSpan HealthTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long one pass (one prompt, about 5 s of video) may take from queueing to its output, waiting in a busy
    /// server's queue included. A 14B model at 720p takes tens of minutes on one consumer GPU.
    /// </summary>
    public TimeSpan PassTimeout { get; set; } = TimeSpan.FromMinutes(90);

    /// <summary>How long a generation waits for its server to answer again before it is run on another member.</summary>
    public TimeSpan MemberGracePeriod { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often /history and /queue are read while the WebSocket is down (and every 5 of these while it is up).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public override void Validate(string section, ICollection<string> problems)
    {
        base.Validate(section, problems);
        if (Members.Count == 0)
            problems.Add($"{section}:Members is empty; list the ComfyUI servers' base URLs as {section}:Members:0, {section}:Members:1, … (e.g. http://gpu-1:8188)");
        foreach (var group in Members.GroupBy(m => Normalize(m).AbsoluteUri, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            problems.Add($"{section}:Members lists {group.Key} {group.Count()} times; each server once (it takes one generation at a time)");
        if (Concurrency != 0 && Concurrency != Members.Count)
            problems.Add($"{section}:Concurrency is {Concurrency}; a comfyui backend gives each member one generation at a time, so its concurrency is its number of Members ({Members.Count}): leave Concurrency out");
        Positive(RequestTimeout, "RequestTimeout", TimeSpan.FromSeconds(1));
        Positive(HealthTimeout, "HealthTimeout", TimeSpan.FromSeconds(1));
        Positive(PassTimeout, "PassTimeout", TimeSpan.FromSeconds(10));
        if (MemberGracePeriod < TimeSpan.Zero) problems.Add($"{section}:MemberGracePeriod is {MemberGracePeriod}; it must not be negative");
        if (PollInterval < TimeSpan.FromMilliseconds(100) || PollInterval > TimeSpan.FromMinutes(1))
            problems.Add($"{section}:PollInterval is {PollInterval}; it must be between 00:00:00.100 and 00:01:00");
        TemplateLibrary.Load(Templates, $"{section}:Templates", problems);

        void Positive(TimeSpan value, string key, TimeSpan least)
        {
            if (value < least) problems.Add($"{section}:{key} is {value}; it must be at least {least:c}");
        }
    }

    /// <summary>How long opening a connection (or a WebSocket) may take: a server that does not accept one is down.</summary>
    internal TimeSpan ConnectTimeout => RequestTimeout < TimeSpan.FromSeconds(5) ? RequestTimeout : TimeSpan.FromSeconds(5);

    /// <summary>A member's base URL with a trailing slash, so relative routes resolve under a reverse proxy's path too.</summary>
    internal static Uri Normalize(Uri member) => member.AbsoluteUri.EndsWith('/') ? member : new Uri(member.AbsoluteUri + "/");
}
