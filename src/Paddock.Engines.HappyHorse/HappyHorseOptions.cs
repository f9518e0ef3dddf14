using System.ComponentModel.DataAnnotations;
using Paddock.Core.Engines;
using Paddock.Engines.HappyHorse.Requests;

namespace Paddock.Engines.HappyHorse;

/// <summary>The provider's regions; the model, the base URL and the key must all belong to one (docs/providers/dashscope.md, Regions).</summary>
public enum DashScopeRegion
{
    /// <summary>Singapore: <c>https://dashscope-intl.aliyuncs.com/api/v1</c>.</summary>
    Intl,

    /// <summary>Beijing (mainland China): <c>https://dashscope.aliyuncs.com/api/v1</c>; the only region with temporary uploads.</summary>
    Cn,
}

/// <summary>How a prompt's <c>Image N</c> mentions are written for the provider (its pages disagree: docs/providers/dashscope.md).</summary>
public enum PromptReferenceStyle
{
    /// <summary><c>[Image 1]</c>, <c>[Image 2]</c>: the current official reference page.</summary>
    Bracketed,

    /// <summary><c>character1</c>, <c>character2</c>: the April 2026 page and most resellers.</summary>
    Character,
}

/// <summary>
/// A <c>happyhorse</c> backend (section <c>Paddock:Backends:NAME</c>, <c>Type=happyhorse</c>): Alibaba Model Studio's
/// (DashScope) asynchronous video-synthesis API. The key is read from the environment variable
/// <see cref="ApiKeyVariable"/> names, never from the settings.
/// </summary>
public sealed class HappyHorseOptions : BackendOptions
{
    public const string DefaultApiKeyVariable = "DASHSCOPE_API_KEY";

    /// <summary>The API base (…/api/v1), e.g. a workspace domain or the fake; when unset, <see cref="Region"/> picks it.</summary>
    public Uri? BaseUrl { get; set; }

    public DashScopeRegion Region { get; set; } = DashScopeRegion.Intl;

    /// <summary>The environment variable that holds the API key.</summary>
    public string ApiKeyVariable { get; set; } = DefaultApiKeyVariable;

    /// <summary>Sent as <c>X-DashScope-WorkSpace</c> when set (calls billed to that workspace).</summary>
    public string? Workspace { get; set; }

    /// <summary>Paddock model id → the provider's model name. The HappyHorse family keeps its names; a catalog file may add more.</summary>
    public Dictionary<string, string> Models { get; set; } = new(StringComparer.Ordinal)
    {
        ["happyhorse-1.0-r2v"] = "happyhorse-1.0-r2v",
        ["happyhorse-1.0-t2v"] = "happyhorse-1.0-t2v",
        ["happyhorse-1.0-i2v"] = "happyhorse-1.0-i2v",
        ["happyhorse-1.1-r2v"] = "happyhorse-1.1-r2v",
        ["happyhorse-1.1-t2v"] = "happyhorse-1.1-t2v",
        ["happyhorse-1.1-i2v"] = "happyhorse-1.1-i2v",
    };

    public PromptReferenceStyle PromptReferenceStyle { get; set; } = PromptReferenceStyle.Bracketed;

    public ReferenceDelivery ReferenceDelivery { get; set; } = ReferenceDelivery.Auto;

    /// <summary>The first wait between two queries of a task; later ones grow with the task's age (a tenth of it) up to <see cref="MaxPollInterval"/>.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Task queries per second from this backend, all generations together (the provider allows 20 per account).</summary>
    [Range(1, 1000)]
    public int MaxQueriesPerSecond { get; set; } = 10;

    /// <summary>How long a task may take from its creation before the generation fails as timed out.</summary>
    public TimeSpan TaskTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>What a task usually takes, for the progress estimate while it runs (the provider reports no fraction).</summary>
    public TimeSpan TypicalTaskTime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one API call may take (a create includes the provider downloading the references).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the result video's download may take.</summary>
    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long queries of a running task may keep failing (network, 5xx, 429) before the attempt is retried later.</summary>
    public TimeSpan PollErrorTolerance { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The API base this backend calls.</summary>
    public Uri ApiBase => BaseUrl ?? new Uri(Region == DashScopeRegion.Cn ? "https://dashscope.aliyuncs.com/api/v1" : "https://dashscope-intl.aliyuncs.com/api/v1");

    public override void Validate(string section, ICollection<string> problems)
    {
        base.Validate(section, problems);
        RequireVariable(ApiKeyVariable, section, nameof(ApiKeyVariable), problems);
        if (BaseUrl is { } url && (url.Query.Length > 0 || url.Fragment.Length > 0))
            problems.Add($"{section}:BaseUrl is '{url}'; it must be the API base without a query, e.g. https://dashscope-intl.aliyuncs.com/api/v1");
        if (Workspace is { Length: > 0 } workspace && !workspace.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            problems.Add($"{section}:Workspace is '{workspace}'; it must be a workspace id (letters, digits, - and _)");

        foreach (var (model, providerModel) in Models)
        {
            if (string.IsNullOrWhiteSpace(providerModel))
                problems.Add($"{section}:Models:{model} is empty; give the provider's model name, e.g. happyhorse-1.0-r2v");
            else if (ProviderModel.ModeOf(providerModel) is null)
                problems.Add($"{section}:Models:{model} is '{providerModel}'; a HappyHorse model name ends in -r2v, -i2v or -t2v (it says which media the provider takes)");
        }

        if (ReferenceDelivery == ReferenceDelivery.OssUpload && BaseUrl is null && Region != DashScopeRegion.Cn)
            problems.Add($"{section}:ReferenceDelivery is oss_upload, but the provider offers temporary uploads only in the cn (Beijing) region " +
                         $"and {section}:Region is {Region.ToString().ToLowerInvariant()}; use public_url (with Paddock:PublicBaseUrl) or data_uri");

        void AtLeast(TimeSpan value, TimeSpan minimum, string name)
        {
            if (value < minimum) problems.Add($"{section}:{name} is {value}; it must be at least {minimum:c}");
        }

        AtLeast(PollInterval, TimeSpan.FromMilliseconds(50), nameof(PollInterval));
        if (MaxPollInterval < PollInterval)
            problems.Add($"{section}:MaxPollInterval ({MaxPollInterval}) must not be shorter than {section}:PollInterval ({PollInterval})");
        AtLeast(TaskTimeout, TimeSpan.FromSeconds(1), nameof(TaskTimeout));
        AtLeast(TypicalTaskTime, TimeSpan.FromSeconds(1), nameof(TypicalTaskTime));
        AtLeast(RequestTimeout, TimeSpan.FromSeconds(1), nameof(RequestTimeout));
        AtLeast(DownloadTimeout, TimeSpan.FromSeconds(1), nameof(DownloadTimeout));
        AtLeast(PollErrorTolerance, TimeSpan.Zero, nameof(PollErrorTolerance));
    }

    /// <summary>
    /// The provider's model for a Paddock model, or null when <see cref="Models"/> does not map it: a model routed here
    /// from a catalog file must be mapped explicitly, rather than sent under a name the provider may not have.
    /// </summary>
    public ProviderModel? ProviderModelFor(string paddockModel) =>
        Models.TryGetValue(paddockModel, out var name) && ProviderModel.ModeOf(name) is { } mode ? new ProviderModel(name, mode) : null;
}
