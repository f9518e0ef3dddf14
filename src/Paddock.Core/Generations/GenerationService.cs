using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Core.Events;
using Paddock.Core.Orchestration;
using Paddock.Core.Queue;
using Paddock.Core.References;
using Paddock.Core.Telemetry;
using Paddock.Core.Validation;

namespace Paddock.Core.Generations;

/// <summary>What the API does with generations: submit, cancel, and wait for a result.</summary>
/// <summary>The rows a submission stands for, and whether it created them.</summary>
/// <param name="Refusal">The limit that refused it, when <see cref="Result"/> is <see cref="IdempotencyResult.Refused"/> (nothing was created).</param>
public sealed record Submitted(IdempotencyResult Result, IReadOnlyList<Guid> GenerationIds, Quotas.QuotaRefusal? Refusal = null);

public sealed class GenerationService(
    IGenerationStore store,
    TimeProvider time,
    QueueSignal queueSignal,
    CancellationHub cancellations,
    EventHub eventHub,
    InlineImages inlineImages,
    Webhooks.IWebhookStore webhooks,
    Quotas.QuotaService quotas)
{
    private const long SeedModulus = 1L << 31;
    private static readonly TimeSpan WaitPollInterval = TimeSpan.FromSeconds(2);

    /// <summary>How long an Idempotency-Key is remembered.</summary>
    public static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);

    /// <summary>
    /// Creates <see cref="ValidatedRequest.NumGenerations"/> rows, durable before this returns. The i-th
    /// row uses seed + i (mod 2^31); without a seed the server picks one and records it. With an
    /// idempotency key, a repeat of the same request returns the first call's rows instead. With <paramref name="limits"/>,
    /// the rows are claimed at the key's priority and admitted against its namespace's and key's queue limits and video
    /// budgets in the transaction that writes them (a refusal writes nothing).
    /// </summary>
    public async Task<Submitted> SubmitAsync(
        string ns, ValidatedRequest request, SubmissionKind kind, string? idempotencyKey, CancellationToken cancellationToken, Quotas.EffectiveLimits? limits = null)
    {
        await inlineImages.StoreAsync(ns, request.Parameters, cancellationToken).ConfigureAwait(false);
        // Models without a seed field (the 1.1 family) get none recorded; their renders take a seed from the generation id.
        var takesSeed = request.Model.RequestSchema["properties"]?["seed"] is not null;
        // A seed is returned to the caller and only varies the output: it needs no cryptographic randomness.
        var baseSeed = request.Parameters["seed"]?.GetValue<long>() ?? Random.Shared.Next(0, int.MaxValue);
        // The span whose context every row keeps: the worker that claims a row continues this trace (a child of the
        // request's span; the request's own span when Paddock's source has no listener).
        using var span = PaddockDiagnostics.Source.StartActivity(PaddockDiagnostics.Spans.Enqueue);
        span?.SetTag(PaddockDiagnostics.Tags.Namespace, ns);
        span?.SetTag(PaddockDiagnostics.Tags.Model, request.Model.Id);
        var traceParent = PaddockDiagnostics.TraceParentOf(span ?? System.Diagnostics.Activity.Current);
        var rows = new List<NewGeneration>(request.NumGenerations);
        // The rows differ only by their seed.
        var video = VideoParameters.From(request.Parameters);
        for (var i = 0; i < request.NumGenerations; i++)
        {
            var parameters = RowParameters(request.Parameters, takesSeed ? (baseSeed + i) % SeedModulus : null);
            rows.Add(new NewGeneration(Guid.CreateVersion7(), ns, request.Model.Id, request.Model.MediaType, parameters, Lane: request.Model.Engine,
                TraceParent: traceParent, Priority: limits?.Priority ?? 0, ApiKeyId: limits?.Key?.Id, Resolution: video.Resolution, VideoSeconds: video.Duration));
        }

        // A request's own webhook URL is recorded before its rows: no completion can come before it (an orphan record
        // of rows never written, after a crash, a refusal or an idempotent repeat, names ids that never occur).
        if (request.WebhookUrl is { } webhookUrl)
        {
            await webhooks.RequestSignerAsync(ns, Webhooks.StandardWebhooks.NewSecret(), cancellationToken).ConfigureAwait(false);
            await webhooks.AttachGenerationUrlAsync(ns, rows.Select(r => r.Id).ToList(), webhookUrl, cancellationToken).ConfigureAwait(false);
        }

        if (span is { IsAllDataRequested: true }) span.SetTag(PaddockDiagnostics.Tags.GenerationId, string.Join(',', rows.Select(r => r.Id)));
        // Without a queue limit or budget nothing needs checking: the plain enqueue (no per-namespace turn-taking).
        if (limits is { ChecksAdmission: true })
        {
            var claimed = idempotencyKey is null ? null : new IdempotencyClaim(ns, idempotencyKey, Fingerprint(request, kind), time.GetUtcNow() + IdempotencyWindow);
            var admitted = await store.EnqueueAdmittedAsync(rows, claimed, quotas.Admission(limits, rows), cancellationToken).ConfigureAwait(false);
            if (admitted.Result == IdempotencyResult.Created) queueSignal.Notify(request.Model.Id, rows.Count);
            return new Submitted(admitted.Result, admitted.GenerationIds, admitted.Refusal);
        }

        if (idempotencyKey is null)
        {
            await store.EnqueueAsync(rows, cancellationToken).ConfigureAwait(false);
            queueSignal.Notify(request.Model.Id, rows.Count);
            return new Submitted(IdempotencyResult.Created, rows.Select(r => r.Id).ToList());
        }

        var claim = new IdempotencyClaim(ns, idempotencyKey, Fingerprint(request, kind), time.GetUtcNow() + IdempotencyWindow);
        var outcome = await store.EnqueueOnceAsync(rows, claim, cancellationToken).ConfigureAwait(false);
        if (outcome.Result == IdempotencyResult.Created) queueSignal.Notify(request.Model.Id, rows.Count);
        return new Submitted(outcome.Result, outcome.GenerationIds);
    }

    /// <summary>
    /// A row's parameters as stored: the request's, with the row's <paramref name="seed"/> in place of the one asked for (or
    /// last, when none was). Written straight from the request's nodes: no copy of them per row.
    /// </summary>
    private static string RowParameters(JsonObject parameters, long? seed)
    {
        var json = t_rowJson ??= new ArrayBufferWriter<byte>(1024);
        json.ResetWrittenCount();
        var writer = t_rowWriter ??= new Utf8JsonWriter(json);
        writer.Reset(json);
        writer.WriteStartObject();
        var seedWritten = false;
        foreach (var (name, value) in parameters)
        {
            writer.WritePropertyName(name);
            if (seed is { } replaced && name == "seed")
            {
                writer.WriteNumberValue(replaced);
                seedWritten = true;
            }
            else if (value is null) writer.WriteNullValue();
            else value.WriteTo(writer);
        }
        if (seed is { } added && !seedWritten) writer.WriteNumber("seed", added);
        writer.WriteEndObject();
        writer.Flush();
        var text = Encoding.UTF8.GetString(json.WrittenSpan);
        // A rare long request (many references with long URLs) does not leave its buffer behind on the thread.
        if (json.Capacity > RowJsonKeptBytes) t_rowJson = null;
        return text;
    }

    private const int RowJsonKeptBytes = 16 * 1024;

    // Each thread's buffer and writer for the rows' parameters: the method runs to its end on one thread.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_rowJson;
    [ThreadStatic] private static Utf8JsonWriter? t_rowWriter;

    /// <summary>What identifies "the same request" under one key: endpoint, model and the validated fields (a chosen seed is not part of it).</summary>
    private static string Fingerprint(ValidatedRequest request, SubmissionKind kind)
    {
        var text = $"{kind}\n{request.Model.Id}\n{request.Parameters.ToJsonString()}\n{request.NumGenerations}\n{request.ResponseFormat}\n{request.TargetNamespace}"
            // Only when given, so keys recorded before webhooks existed still match their requests.
            + (request.WebhookUrl is { } url ? $"\n{url}" : "");
        return Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Cancels a queued or running generation; a render in this process stops at once.</summary>
    public async Task<CancelOutcome> CancelAsync(string ns, Guid id, CancellationToken cancellationToken)
    {
        var row = await store.GetAsync(ns, id, cancellationToken).ConfigureAwait(false);
        if (row is null) return CancelOutcome.NotFound;
        var outcome = await store.CancelAsync(ns, id, GenerationEvents.Cancelled(ns, id, row.Model, row.MediaType), cancellationToken).ConfigureAwait(false);
        if (outcome == CancelOutcome.Cancelled)
        {
            cancellations.Cancel(id);
            eventHub.Notify();
        }
        return outcome;
    }

    /// <summary>Waits until the generation is terminal (events first, polling as a safety net) and returns its row.</summary>
    public async Task<Generation> WaitForTerminalAsync(string ns, Guid id, CancellationToken cancellationToken)
    {
        using var subscription = await eventHub.SubscribeAsync(ns, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            Generation? row;
            try
            {
                row = await store.GetAsync(ns, id, cancellationToken).ConfigureAwait(false);
            }
            catch (Storage.StorageUnavailableException)
            {
                // The row is committed: a database that is restarting delays the answer, it does not change it.
                await Task.Delay(WaitPollInterval, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (row is null) throw new InvalidOperationException($"generation {id} vanished");
            if (row.Status.IsTerminal()) return row;

            if (subscription.IsCompleted)
            {
                // The hub stopped delivering to us (shutdown or overflow): poll the row instead.
                await Task.Delay(WaitPollInterval, cancellationToken).ConfigureAwait(false);
                continue;
            }

            // The hub's clock ends the wait after the poll interval (no timer per waiting request).
            subscription.WakeAfter(WaitPollInterval);
            var wake = false;
            while (!wake && await subscription.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var ended = false;
                while (subscription.TryRead(out var e))
                {
                    wake |= ReferenceEquals(e, EventHub.Wake);
                    ended |= e.Type is EventTypes.Completed or EventTypes.Cancelled && GenerationEvents.GenerationIdOf(e) == id;
                }
                if (ended) break;
            }
        }
    }
}
