using System.Diagnostics.Metrics;

namespace Paddock.Core.Telemetry;

/// <summary>
/// Paddock's own metrics, on the meter <see cref="PaddockDiagnostics.Name"/>. The names follow OpenTelemetry's
/// conventions (dots, units apart); a Prometheus scrape shows them with underscores and the unit appended
/// (<c>paddock.render.duration</c> in seconds is <c>paddock_render_duration_seconds</c>). docs/operators.md lists them.
/// </summary>
public sealed class PaddockMetrics : IDisposable
{
    /// <summary>The instrument names, for tests and dashboards.</summary>
    public static class Names
    {
        public const string QueueDepth = "paddock.queue.depth";
        public const string QueueWait = "paddock.queue.wait";
        public const string RenderDuration = "paddock.render.duration";
        public const string Failures = "paddock.generation.failures";
        public const string ActiveStreams = "paddock.sse.active_streams";
        public const string ReferenceCacheHits = "paddock.reference_cache.hits";
        public const string ReferenceCacheMisses = "paddock.reference_cache.misses";

        /// <summary>Reserved for webhook deliveries (not built yet); no instrument has this name today.</summary>
        public const string WebhookDeliveries = "paddock.webhook.deliveries";
    }

    private readonly Meter _meter;
    private readonly Histogram<double> _queueWait;
    private readonly Histogram<double> _renderDuration;
    private readonly Counter<long> _failures;
    private readonly UpDownCounter<long> _activeStreams;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private volatile IReadOnlyDictionary<string, long> _queueDepth = new Dictionary<string, long>();
    private volatile IReadOnlyCollection<string> _models = [];

    /// <param name="factory">The host's meter factory (meters are then per service provider); null makes a meter of its own.</param>
    public PaddockMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(PaddockDiagnostics.Name) ?? new Meter(PaddockDiagnostics.Name);
        _meter.CreateObservableGauge(Names.QueueDepth, ObserveQueueDepth, "{generation}",
            "Generations waiting in the queue, per model (all namespaces), as last sampled from the database");
        _queueWait = _meter.CreateHistogram<double>(Names.QueueWait, "s",
            "Time from enqueue to the first claim by a worker, per model",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800] });
        _renderDuration = _meter.CreateHistogram<double>(Names.RenderDuration, "s",
            "Time an engine took to render one attempt (references fetched, output not yet stored), per engine and outcome",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800] });
        _failures = _meter.CreateCounter<long>(Names.Failures, "{attempt}",
            "Attempts that ended in a failure, per failure kind and whether the generation failed or was queued for a retry");
        _activeStreams = _meter.CreateUpDownCounter<long>(Names.ActiveStreams, "{stream}", "Event streams (GET /api/events) open now");
        _cacheHits = _meter.CreateCounter<long>(Names.ReferenceCacheHits, "{reference}",
            "Reference images served from the cache: by URL (fresh, or revalidated with the origin) or by the same bytes checked before");
        _cacheMisses = _meter.CreateCounter<long>(Names.ReferenceCacheMisses, "{reference}", "Reference images downloaded in full");
    }

    /// <summary>The latest queue depth per model; models offered but absent count 0 (so a series drops to 0 rather than vanishing).</summary>
    public void SetQueueDepth(IReadOnlyDictionary<string, long> depth, IReadOnlyCollection<string> models)
    {
        _models = models;
        _queueDepth = depth;
    }

    public void RecordQueueWait(string model, TimeSpan wait) =>
        _queueWait.Record(Math.Max(0, wait.TotalSeconds), new KeyValuePair<string, object?>(PaddockDiagnostics.Tags.Model, model));

    public void RecordRender(string engine, string engineType, string outcome, TimeSpan duration) =>
        _renderDuration.Record(duration.TotalSeconds,
            new KeyValuePair<string, object?>(PaddockDiagnostics.Tags.Engine, engine),
            new KeyValuePair<string, object?>(PaddockDiagnostics.Tags.EngineType, engineType),
            new KeyValuePair<string, object?>(PaddockDiagnostics.Tags.Outcome, outcome));

    /// <param name="outcome"><c>failed</c> (the generation ended) or <c>retried</c> (queued again after a pause).</param>
    public void CountFailure(string kind, string model, string outcome) =>
        _failures.Add(1,
            new KeyValuePair<string, object?>(PaddockDiagnostics.Tags.FailureKind, kind),
            new KeyValuePair<string, object?>(PaddockDiagnostics.Tags.Model, model),
            new KeyValuePair<string, object?>(PaddockDiagnostics.Tags.Outcome, outcome));

    public void StreamOpened() => _activeStreams.Add(1);

    public void StreamClosed() => _activeStreams.Add(-1);

    /// <param name="by"><c>url</c>, <c>revalidated</c> or <c>content</c>.</param>
    public void CountReferenceCacheHit(string by) => _cacheHits.Add(1, new KeyValuePair<string, object?>("paddock.cache.hit", by));

    public void CountReferenceCacheMiss() => _cacheMisses.Add(1);

    private IEnumerable<Measurement<long>> ObserveQueueDepth()
    {
        var depth = _queueDepth;
        foreach (var model in _models.Union(depth.Keys, StringComparer.Ordinal))
            yield return new Measurement<long>(depth.GetValueOrDefault(model), new KeyValuePair<string, object?>(PaddockDiagnostics.Tags.Model, model));
    }

    public void Dispose() => _meter.Dispose();
}
