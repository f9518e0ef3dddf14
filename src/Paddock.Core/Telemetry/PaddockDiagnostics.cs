using System.Diagnostics;

namespace Paddock.Core.Telemetry;

/// <summary>
/// Paddock's own spans: one <see cref="ActivitySource"/> named <see cref="Name"/>, which the host's tracing listens to.
/// A generation's trace starts at the submitting request; the span that enqueues its row is stored with the row
/// (<see cref="Generations.Generation.TraceParent"/>), so the worker that claims it, in any process, continues that trace.
/// </summary>
public static class PaddockDiagnostics
{
    /// <summary>The name of Paddock's activity source and meter.</summary>
    public const string Name = "Paddock";

    public static readonly ActivitySource Source = new(Name, typeof(PaddockDiagnostics).Assembly.GetName().Version?.ToString());

    /// <summary>Span names, one per step of a generation's life.</summary>
    public static class Spans
    {
        public const string Enqueue = "paddock.generation.enqueue";
        public const string Attempt = "paddock.generation.attempt";
        public const string FetchReferences = "paddock.references.fetch";
        public const string Render = "paddock.engine.render";
        public const string Conform = "paddock.output.conform";
        public const string StoreOutput = "paddock.output.store";
    }

    /// <summary>Attribute names of Paddock's spans and metrics.</summary>
    public static class Tags
    {
        public const string GenerationId = "paddock.generation.id";
        public const string Namespace = "paddock.namespace";
        public const string Model = "paddock.model";
        public const string Attempt = "paddock.attempt";
        public const string Engine = "paddock.engine";
        public const string EngineType = "paddock.engine.type";
        public const string Outcome = "paddock.outcome";
        public const string FailureKind = "paddock.failure.kind";
        public const string References = "paddock.references.count";
    }

    /// <summary>The W3C traceparent of <paramref name="activity"/>, to store with a row; null when nothing is traced.</summary>
    public static string? TraceParentOf(Activity? activity) =>
        activity is { IdFormat: ActivityIdFormat.W3C } ? activity.Id : null;

    /// <summary>
    /// Starts the span of a claimed attempt as a child of the stored <paramref name="traceParent"/> (the submitting
    /// request's trace), or as a new trace when the row has none or it does not parse.
    /// </summary>
    public static Activity? StartAttempt(string? traceParent, Guid generationId, string ns, string model, int attempt)
    {
        var parent = traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;
        var activity = Source.StartActivity(Spans.Attempt, ActivityKind.Consumer, parent);
        activity?.SetTag(Tags.GenerationId, generationId.ToString());
        activity?.SetTag(Tags.Namespace, ns);
        activity?.SetTag(Tags.Model, model);
        activity?.SetTag(Tags.Attempt, attempt);
        return activity;
    }

    /// <summary>Marks <paramref name="activity"/> as failed with the exception's kind, as OpenTelemetry's conventions say.</summary>
    public static void Fail(this Activity? activity, string kind, string message)
    {
        if (activity is null) return;
        activity.SetStatus(ActivityStatusCode.Error, message);
        activity.SetTag("error.type", kind);
    }
}
