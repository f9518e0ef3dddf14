using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Paddock.Core.Engines;
using Paddock.Core.Models;
using Paddock.Engines.ComfyUI.Passes;
using Paddock.Engines.ComfyUI.Pool;
using Paddock.Engines.ComfyUI.Protocol;
using Paddock.Engines.ComfyUI.Rendering;
using Paddock.Engines.ComfyUI.Templates;

namespace Paddock.Engines.ComfyUI;

/// <summary>
/// A backend of ComfyUI servers on the user's GPUs: each model it serves is a workflow template; each generation is one
/// or more prompts (passes) on one server of the pool. Health is per model: a model whose template needs a node class
/// or model file that no answering server has waits, saying what is missing and where; the others run.
/// </summary>
internal sealed class ComfyUIEngine : IRemoteJobEngine, IHealthInterval
{
    private readonly ComfyUIOptions _options;
    private readonly TemplateLibrary _templates;
    private readonly ServerPool _pool;
    private readonly PassMedia _media;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IReadOnlyDictionary<string, string> _modelProblems;
    private readonly HttpClient _http;

    public ComfyUIEngine(string name, ComfyUIOptions options, ModelCatalog catalog, PassMedia media, TimeProvider time, ILoggerFactory loggers)
    {
        Name = name;
        _options = options;
        _media = media;
        _time = time;
        _logger = loggers.CreateLogger<ComfyUIEngine>();
        var problems = new List<string>();
        _templates = TemplateLibrary.Load(options.Templates, $"{EngineRegistry.BackendsSection}:{name}:Templates", problems);
        var models = catalog.ModelsServedBy(name);
        _modelProblems = ModelProblems(name, catalog, models, _templates);
        _http = ComfyClient.CreateHttp(options.ConnectTimeout);
        var members = options.Members.Select(m => new ComfyClient(_http, m, options.RequestTimeout));
        _pool = new ServerPool(name, members, _templates, models, options, time, loggers.CreateLogger<ServerPool>());
    }

    public string Name { get; }

    public string Type => ComfyUIEngineFactory.TypeName;

    public string Description =>
        $"Open-weight video models run as ComfyUI workflows on your own GPU servers ({_pool.Members.Count} in this pool, one generation at a time each)";

    public string Version => $"comfyui-engine 1 (templates: {string.Join(", ", _templates.Models)})";

    /// <summary>One generation per member at a time: adding a GPU box adds a worker.</summary>
    public int? Concurrency => _pool.Members.Count;

    public TimeSpan HealthCheckInterval => _options.HealthCheckInterval;

    internal ServerPool Pool => _pool;

    public Task RenderAsync(RenderJob job, RenderContext context, CancellationToken cancellationToken)
    {
        var template = _templates.Find(job.Model)
            ?? throw new EngineFailureException(FailureKind.EngineError, _modelProblems.GetValueOrDefault(job.Model) ?? $"backend '{Name}' has no workflow template for {job.Model}");
        if (job.References.Count > template.MaxReferences)
            throw new EngineFailureException(FailureKind.InvalidInput,
                $"reference_images: {job.Model} takes at most {template.MaxReferences} reference images on backend '{Name}'; {job.References.Count} were given");
        var plan = PassPlan.For(template, job);
        var run = new GenerationRun(new RunServices(Name, _options, _pool, _media, _time, _logger), template, plan, job, context);
        return run.RunAsync(cancellationToken);
    }

    public async Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Within the monitor's own limit: one slow server must not make the whole pool look unavailable.
            await _pool.CheckAllAsync(cancellationToken).WaitAsync(HealthBudget, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The servers still being checked keep their last state until their checks end.
        }
        return _pool.Health(_modelProblems);
    }

    /// <summary>Below the BackendMonitor's 10 s per check.</summary>
    private static readonly TimeSpan HealthBudget = TimeSpan.FromSeconds(8);

    public Task<RemoteCancelOutcome> CancelRemoteAsync(RemoteJob job, CancellationToken cancellationToken)
    {
        if (job.Id is null)
            return Task.FromResult(new RemoteCancelOutcome(RemoteCancelState.Cancelled, "nothing had been queued on ComfyUI yet"));
        var member = job.DataString("member") is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : null;
        if (member is null)
            return Task.FromResult(new RemoteCancelOutcome(RemoteCancelState.Refused, $"the checkpoint of prompt {job.Id} does not say which ComfyUI server has it"));
        // A member removed from the configuration since is still asked: the prompt may be running there.
        var server = _pool.Find(member.AbsoluteUri)?.Client ?? new ComfyClient(_http, member, _options.RequestTimeout);
        return RemoteCancel.CancelAsync(server, job.Id, cancellationToken);
    }

    /// <summary>
    /// Problems known without asking a server: a model with no template, or whose catalog document promises more than
    /// its template can do (more references, a longer single pass, an aspect ratio without a size). Such a model stays
    /// unavailable with the reason, instead of failing requests after they were accepted.
    /// </summary>
    private static Dictionary<string, string> ModelProblems(string backend, ModelCatalog catalog, IEnumerable<string> models, TemplateLibrary templates)
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in models)
        {
            var template = templates.Find(id);
            if (template is null)
            {
                problems[id] = $"backend '{backend}' has no workflow template for {id}; add {id}.manifest.json and its workflow to {EngineRegistry.BackendsSection}:{backend}:Templates (shipped: {string.Join(", ", templates.Models)})";
                continue;
            }
            var properties = catalog.Find(id)?.RequestSchema["properties"] as JsonObject;
            var found = new List<string>();
            if (properties?["reference_images"]?["maxItems"] is JsonValue items && items.TryGetValue<int>(out var maxItems) && maxItems > template.MaxReferences)
                found.Add($"reference_images.maxItems is {maxItems} but its template takes at most {template.MaxReferences}");
            if (template.Continuation is null && properties?["duration"]?["maximum"] is JsonValue longest && longest.TryGetValue<int>(out var seconds)
                && seconds * template.NativeFps > template.MaxFramesPerPass)
                found.Add($"duration.maximum is {seconds} s but its template makes at most {Math.Floor(template.SecondsPerPass):0} s in one pass and cannot continue");
            if (properties?["aspect_ratio"]?["enum"] is JsonArray aspects)
            {
                var unsized = aspects.Select(a => a?.ToString() ?? "").Where(a => !template.Sizes.ContainsKey(a)).ToList();
                if (unsized.Count > 0) found.Add($"aspect_ratio offers {string.Join(", ", unsized)}, for which its template has no native size");
            }
            if (found.Count > 0)
                problems[id] = $"the catalog document of {id} promises more than its ComfyUI template can do: {string.Join("; ", found)}; correct the document (Paddock:Catalog:Directory) or the template";
        }
        return problems;
    }
}
